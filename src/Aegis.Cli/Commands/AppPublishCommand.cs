using System.CommandLine;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis app publish DIR --app APPID [--json]</c>: the directory as a tar.gz, published as the app's next release.</summary>
internal static class AppPublishCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var directory = new Argument<string>("dir") { Description = "the directory holding the release's files (agent code, canvas)" };
        var app = new Option<string>("--app") { Description = "the app to publish to", Required = true };
        var json = GlobalOptions.CreateJsonOption();
        var command = new Command("publish", "Publish a directory as the app's next release.") { directory, app, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var appId = parse.GetValue(app)!;
            using var archive = await PackAsync(parse.GetValue(directory)!, cancellationToken);
            using var content = new StreamContent(archive);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            using var client = globals.CreateClient(parse);
            var release = await client.PostAsync($"/v1/apps/{Uri.EscapeDataString(appId)}/releases", content, cancellationToken);
            if (parse.GetValue(json))
            {
                await JsonOutput.PrintAsync(stdout, release);
                return ExitCodes.Ok;
            }

            await stdout.WriteLineAsync(
                $"published {appId} version {release.Text("version")}: {release.Text("releaseId")} ({JsonOutput.Bytes(release.GetProperty("sizeBytes").GetInt64())}, sha256 {release.Text("sha256")})");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The directory's contents (not the directory itself) as a gzipped tar, in memory.</summary>
    internal static async Task<MemoryStream> PackAsync(string directory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            throw new CliUsageException($"'{directory}' is not a directory.");
        }

        var archive = new MemoryStream();
        await using (var gzip = new GZipStream(archive, CompressionLevel.Optimal, leaveOpen: true))
        {
            await TarFile.CreateFromDirectoryAsync(directory, gzip, includeBaseDirectory: false, cancellationToken);
        }

        archive.Position = 0;
        return archive;
    }
}
