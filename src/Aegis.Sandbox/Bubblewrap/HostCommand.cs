using System.Diagnostics;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>Runs host tools (<c>ip</c>, <c>nsenter</c>) with a fixed environment and fails loudly with their stderr.</summary>
internal static class HostCommand
{
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var result = await TryRunAsync(fileName, arguments, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new SandboxException($"{fileName} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError.Trim()}");
        }

        return result.StandardOutput;
    }

    public static async Task<HostCommandResult> TryRunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The daemon's own environment (tokens, proxies) has no business in host tools.
        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        startInfo.Environment["LC_ALL"] = "C";

        using var process = Process.Start(startInfo) ?? throw new SandboxException($"Could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new HostCommandResult(process.ExitCode, await stdout, await stderr);
    }
}

internal sealed record HostCommandResult(int ExitCode, string StandardOutput, string StandardError);
