using System.CommandLine;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis app releases APPID [--json]</c>.</summary>
internal static class AppReleasesCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var app = new Argument<string>("appId") { Description = "the app whose releases to list" };
        var json = GlobalOptions.CreateJsonOption();
        var command = new Command("releases", "List the app's releases, oldest first.") { app, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            using var client = globals.CreateClient(parse);
            var releases = await client.GetAsync($"/v1/apps/{Uri.EscapeDataString(parse.GetValue(app)!)}/releases", cancellationToken);
            if (parse.GetValue(json))
            {
                await JsonOutput.PrintAsync(stdout, releases);
                return ExitCodes.Ok;
            }

            var rows = releases.EnumerateArray()
                .Select(r => (IReadOnlyList<string>)[r.Text("version"), r.Text("releaseId"), JsonOutput.Bytes(r.GetProperty("sizeBytes").GetInt64()), Short(r.Text("sha256")), r.Time("createdAt")])
                .ToList();
            if (rows.Count == 0)
            {
                await stdout.WriteLineAsync("no releases yet; publish one with 'aegis app publish DIR --app APPID'");
                return ExitCodes.Ok;
            }

            await TableWriter.WriteAsync(stdout, ["version", "release", "size", "sha256", "created"], rows);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Short(string sha256) => sha256.Length > 12 ? sha256[..12] : sha256;
}
