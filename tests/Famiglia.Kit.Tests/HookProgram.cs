using System.Diagnostics;
using Famiglia.TestKit;

namespace Famiglia.Kit.Tests;

/// <summary>The built <c>famiglia-kit-hooks.dll</c> run directly (not through aegisd's runner), for its commands
/// and for what a hook does with bad settings.</summary>
internal static class HookProgram
{
    public static string Dll => ServiceProcess.BuiltDll("Famiglia.Kit", "famiglia-kit-hooks");

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string[] arguments, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        info.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("FAMIGLIA_KIT_SETTINGS");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
