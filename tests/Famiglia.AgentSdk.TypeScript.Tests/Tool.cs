using System.Diagnostics;
using System.Text;

namespace Famiglia.AgentSdk.TypeScript.Tests;

/// <summary>Runs a command-line tool (npm, node, tar) to its end and keeps what it printed, stdout and stderr interleaved.</summary>
internal static class Tool
{
    // Only a guard against a hang: a cold `npm ci` on a slow registry takes a while.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(10);

    public static async Task<ToolResult> RunAsync(string workingDirectory, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // npm's own chatter (update notices, funding, audit) is not what a failure message needs.
        info.Environment["npm_config_update_notifier"] = "false";
        info.Environment["npm_config_fund"] = "false";
        info.Environment["npm_config_audit"] = "false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var command = $"{fileName} {string.Join(' ', info.ArgumentList)}";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"`{command}` could not start ({ex.Message}): these tests need Node.js 18+ and npm on the PATH (Debian: apt-get install nodejs npm).", ex);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(HangGuard);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` in {workingDirectory} did not finish within {HangGuard}:\n{Text(output)}");
        }

        process.WaitForExit(); // drains the output readers
        return new ToolResult(command, workingDirectory, process.ExitCode, Text(output));
    }

    public static Task<ToolResult> RunAsync(string workingDirectory, string fileName, params string[] arguments) =>
        RunAsync(workingDirectory, fileName, (IEnumerable<string>)arguments);

    /// <summary>Runs the tool and fails the test with its output unless it exits 0.</summary>
    public static async Task<ToolResult> SucceedAsync(string workingDirectory, string fileName, params string[] arguments)
    {
        var result = await RunAsync(workingDirectory, fileName, arguments);
        result.AssertSucceeded();
        return result;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}

internal sealed record ToolResult(string Command, string WorkingDirectory, int ExitCode, string Output)
{
    public void AssertSucceeded()
    {
        if (ExitCode != 0)
        {
            Assert.Fail($"`{Command}` in {WorkingDirectory} exited with code {ExitCode}:\n{Output}");
        }
    }
}
