using System.CommandLine;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis app serve APPID</c>: Mode B, the app becomes a long-lived, routed instance.</summary>
internal static class AppServeCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var app = new Argument<string>("appId") { Description = "the app to serve" };
        var command = new Command("serve", "Serve the app (Mode B): wake on connect, pause when idle.") { app };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var appId = parse.GetValue(app)!;
            using var client = globals.CreateClient(parse);
            await client.PostAsync($"/v1/apps/{Uri.EscapeDataString(appId)}/serve", cancellationToken: cancellationToken);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"{appId} is served; requests to its route wake it");
            return ExitCodes.Ok;
        });
        return command;
    }
}
