using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Aegis.Cli.Daemon;

/// <summary>Starts aegisd (<c>dotnet aegisd.dll</c>) in the foreground or detached, and stops it with SIGTERM, then SIGKILL.</summary>
internal static partial class DaemonProcess
{
    private const int SigTerm = 15;

    public static string PidFile(string dataDirectory) => Path.Combine(dataDirectory, "aegisd.pid");

    public static string LogFile(string dataDirectory) => Path.Combine(dataDirectory, "aegisd.log");

    /// <summary>aegisd sharing this terminal: its log goes to our stdout/stderr.</summary>
    public static Process StartForeground(string dll, string dataDirectory, string urls)
    {
        var info = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false };
        foreach (var argument in DaemonArguments(dll, dataDirectory, urls))
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>aegisd in its own session, detached from this terminal, logging to <see cref="LogFile"/>.
    /// <c>sh</c> only sets up the redirections and execs, so the returned process is aegisd itself.</summary>
    public static Process StartDetached(string dll, string dataDirectory, string urls)
    {
        const string script = """
            if command -v setsid >/dev/null 2>&1; then exec setsid "$@" </dev/null >>"$0" 2>&1; fi
            exec "$@" </dev/null >>"$0" 2>&1
            """;
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", script, LogFile(dataDirectory), DotnetHost() }.Concat(DaemonArguments(dll, dataDirectory, urls)))
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("sh did not start");
    }

    /// <summary>SIGTERM (aegisd then stops its sandboxes in order), SIGKILL after <paramref name="grace"/>.</summary>
    public static async Task StopAsync(Process daemon, TimeSpan grace)
    {
        if (daemon.HasExited)
        {
            return;
        }

        _ = Kill(daemon.Id, SigTerm);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await daemon.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static string[] DaemonArguments(string dll, string dataDirectory, string urls) =>
        [dll, $"--Aegis:DataDirectory={dataDirectory}", $"--urls={urls}"];

    /// <summary>The dotnet host running us when there is one (<c>dotnet aegis.dll</c>), else dotnet from PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
