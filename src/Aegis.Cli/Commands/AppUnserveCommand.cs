using System.CommandLine;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis app unserve APPID</c>: the router stops waking the app (it stays registered, with its workspace).</summary>
internal static class AppUnserveCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var app = new Argument<string>("appId") { Description = "the app to stop serving" };
        var command = new Command("unserve", "Stop serving the app: requests to its route no longer wake it; a running instance serves until it pauses or is terminated.") { app };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var appId = parse.GetValue(app)!;
            using var client = globals.CreateClient(parse);
            await client.DeleteAsync($"/v1/apps/{Uri.EscapeDataString(appId)}/serve", cancellationToken);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"{appId} is no longer served; requests to its route do not wake it");
            return ExitCodes.Ok;
        });
        return command;
    }
}
