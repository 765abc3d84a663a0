using System.Diagnostics;

namespace Famiglia.TestKit;

/// <summary>
/// The kit's hooks as ./famiglia up runs them: the NativeAOT executable <c>src/Famiglia.Kit/publish-native</c> makes,
/// once per test run into the repository's <c>.famiglia/kit-hooks</c> (its key over the sources makes later runs quick).
/// With <c>FAMIGLIA_KIT_HOOKS</c> set (./famiglia test publishes first and sets it) that directory is used as it is.
/// </summary>
public static class NativeKitHooks
{
    public const string EnvironmentVariable = "FAMIGLIA_KIT_HOOKS";

    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    /// <summary>The path of the executable, published first if needed.</summary>
    public static Task<string> ExecutableAsync() => Published.Value;

    private static async Task<string> PublishAsync()
    {
        var directory = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } prebuilt
            ? prebuilt
            : RepositoryPaths.Combine(".famiglia", "kit-hooks");
        var executable = Path.Combine(directory, "famiglia-kit-hooks");
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 })
        {
            return File.Exists(executable) ? executable : throw new FileNotFoundException($"{EnvironmentVariable} names {directory}, which has no famiglia-kit-hooks", executable);
        }

        var log = Path.Combine(Path.GetTempPath(), $"kit-hooks-publish-{Environment.ProcessId}.log");

        // Output to a file, not a pipe (nothing the script starts can keep this waiting), and without the MSBuild
        // settings `dotnet test` hands its test host.
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", "exec \"$0\" \"$1\" >\"$2\" 2>&1", RepositoryPaths.Combine("src", "Famiglia.Kit", "publish-native"), directory, log })
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        using var process = Process.Start(startInfo)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        var output = await File.ReadAllTextAsync(log);
        File.Delete(log);
        return process.ExitCode == 0
            ? executable
            : throw new InvalidOperationException($"src/Famiglia.Kit/publish-native failed (exit {process.ExitCode}):\n{output}");
    }
}
