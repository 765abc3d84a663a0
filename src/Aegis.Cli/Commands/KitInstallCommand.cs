using System.CommandLine;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis kit install PATH</c>: PATH is a kit directory (<c>aegis-kit.yaml</c> and, optionally, an
/// executable <c>hooks</c>) or a manifest file on its own (then the kit has no hooks).</summary>
internal static class KitInstallCommand
{
    public const string ManifestFileName = "aegis-kit.yaml";
    public const string HooksFileName = "hooks";

    public static Command Create(GlobalOptions globals)
    {
        var path = new Argument<string>("path") { Description = $"a kit directory ({ManifestFileName} + optional {HooksFileName}) or a manifest file" };
        var json = GlobalOptions.CreateJsonOption();
        var command = new Command("install", "Install a kit, or replace it with a new version.") { path, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var (manifest, hooks) = await ReadKitAsync(parse.GetValue(path)!, cancellationToken);
            using var client = globals.CreateClient(parse);
            var kit = await client.PostJsonAsync(
                "/v1/kits", new { manifest, hooksBase64 = hooks is null ? null : Convert.ToBase64String(hooks) }, cancellationToken);
            if (parse.GetValue(json))
            {
                await JsonOutput.PrintAsync(stdout, kit);
                return ExitCodes.Ok;
            }

            await stdout.WriteLineAsync($"installed kit {kit.Text("name")} {kit.Text("version")}{(hooks is null ? "" : " with hooks")}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<(string Manifest, byte[]? Hooks)> ReadKitAsync(string path, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            return (await File.ReadAllTextAsync(path, cancellationToken), null);
        }

        if (!Directory.Exists(path))
        {
            throw new CliUsageException($"'{path}' is neither a kit directory nor a manifest file.");
        }

        var manifestPath = Path.Combine(path, ManifestFileName);
        if (!File.Exists(manifestPath))
        {
            throw new CliUsageException($"'{path}' has no {ManifestFileName}.");
        }

        var hooksPath = Path.Combine(path, HooksFileName);
        byte[]? hooks = null;
        if (File.Exists(hooksPath))
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(hooksPath) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
            {
                throw new CliUsageException($"'{hooksPath}' is not executable (chmod +x it).");
            }

            hooks = await File.ReadAllBytesAsync(hooksPath, cancellationToken);
        }

        return (await File.ReadAllTextAsync(manifestPath, cancellationToken), hooks);
    }
}
