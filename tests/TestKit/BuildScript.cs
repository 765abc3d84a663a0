using System.Diagnostics;

namespace Famiglia.TestKit;

/// <summary>Runs one of the repository's build scripts (images/*/build, src/Famiglia.Kit/publish-native) for a fixture.</summary>
public static class BuildScript
{
    /// <summary>
    /// Runs <paramref name="relativePath"/> (from the repository root) with <paramref name="arguments"/>; throws with its
    /// output when it fails. Output goes to a file, not a pipe: nothing the script starts can keep the caller waiting on
    /// a pipe's end. The MSBuild settings <c>dotnet test</c> hands its test host are removed: the script's own dotnet
    /// publish must not inherit them.
    /// </summary>
    public static async Task RunAsync(string relativePath, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var log = Path.Combine(Path.GetTempPath(), $"build-script-{Guid.NewGuid():N}.log");
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("log=$1; shift; exec \"$@\" >\"$log\" 2>&1");
        startInfo.ArgumentList.Add("build-script");
        startInfo.ArgumentList.Add(log);
        startInfo.ArgumentList.Add(RepositoryPaths.Combine(relativePath.Split('/')));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        using var process = Process.Start(startInfo)!;
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        var output = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
        File.Delete(log);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{relativePath} failed (exit {process.ExitCode}):\n{output}");
        }
    }
}
