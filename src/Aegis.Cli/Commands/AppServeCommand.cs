using System.CommandLine;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis app serve APPID</c> (Mode B: the app's route wakes it) and <c>aegis app unserve APPID</c> (it no
/// longer does; the app stays registered, with its workspace).</summary>
internal static class AppServeCommand
{
    public static Command Create(GlobalOptions globals) => Create(
        globals, "serve", "the app to serve", "Serve the app (Mode B): wake on connect, pause when idle.", serve: true, "is served; requests to its route wake it");

    public static Command CreateUnserve(GlobalOptions globals) => Create(
        globals,
        "unserve",
        "the app to stop serving",
        "Stop serving the app: requests to its route no longer wake it; a running instance serves until it pauses or is terminated.",
        serve: false,
        "is no longer served; requests to its route do not wake it");

    private static Command Create(GlobalOptions globals, string name, string argument, string description, bool serve, string done)
    {
        var app = new Argument<string>("appId") { Description = argument };
        var command = new Command(name, description) { app };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var appId = parse.GetValue(app)!;
            using var client = globals.CreateClient(parse);
            var path = $"/v1/apps/{Uri.EscapeDataString(appId)}/serve";
            await (serve ? client.PostAsync(path, cancellationToken: cancellationToken) : client.DeleteAsync(path, cancellationToken));
            await parse.InvocationConfiguration.Output.WriteLineAsync($"{appId} {done}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
