using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Aegis.Cli.Api;
using Aegis.Cli.Daemon;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis up [-d] [--data-dir DIR] [--urls URL]</c>: start aegisd in the foreground (Ctrl-C stops it)
/// or detached (<c>-d</c>: wait for <c>/healthz</c>, write <c>&lt;data-dir&gt;/aegisd.pid</c>, print the URL, exit).</summary>
internal static class UpCommand
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);

    public static Command Create(GlobalOptions globals)
    {
        var detach = new Option<bool>("--detach", "-d") { Description = "start in the background, wait until it answers, and return" };
        var urls = new Option<string?>("--urls") { Description = "where aegisd listens (default: --url)" };
        var command = new Command("up", "Start aegisd (the built aegisd.dll) on this machine.") { detach, urls };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var listen = parse.GetValue(urls) ?? parse.GetValue(globals.Url)!;
            var url = HealthUrl(listen);
            var dataDirectory = globals.ResolveDataDirectory(parse);
            var dll = DaemonLocator.Find();
            using var client = new AegisApiClient(url, globals.ResolveTokenFile(parse));
            if (await client.IsHealthyAsync(cancellationToken))
            {
                if (parse.GetValue(detach))
                {
                    await stdout.WriteLineAsync($"aegisd already runs at {url}");
                    return ExitCodes.Ok;
                }

                await stderr.WriteLineAsync($"error: something already answers at {url}healthz; stop it, or start on another address with --urls");
                return ExitCodes.Refused;
            }

            Directory.CreateDirectory(dataDirectory);
            return parse.GetValue(detach)
                ? await StartDetachedAsync(dll, dataDirectory, listen, client, stdout, stderr, cancellationToken)
                : await RunForegroundAsync(dll, dataDirectory, listen, stderr, cancellationToken);
        });
        return command;
    }

    private static async Task<int> StartDetachedAsync(
        string dll, string dataDirectory, string listen, AegisApiClient client, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var daemon = DaemonProcess.StartDetached(dll, dataDirectory, listen);
        var deadline = Stopwatch.StartNew();
        while (!await client.IsHealthyAsync(cancellationToken))
        {
            if (daemon.HasExited || deadline.Elapsed > StartTimeout)
            {
                await stderr.WriteLineAsync(daemon.HasExited
                    ? $"error: aegisd exited with {daemon.ExitCode} during start-up; last lines of {DaemonProcess.LogFile(dataDirectory)}:"
                    : $"error: aegisd did not answer at {client.BaseAddress}healthz within {StartTimeout.TotalSeconds:0} s; stopped it. Last lines of {DaemonProcess.LogFile(dataDirectory)}:");
                await DaemonProcess.StopAsync(daemon, StopGrace);
                await PrintLogTailAsync(DaemonProcess.LogFile(dataDirectory), stderr);
                return ExitCodes.Refused;
            }

            await Task.Delay(200, cancellationToken);
        }

        await File.WriteAllTextAsync(DaemonProcess.PidFile(dataDirectory), daemon.Id.ToString(CultureInfo.InvariantCulture) + "\n", cancellationToken);
        await stdout.WriteLineAsync(client.BaseAddress.ToString());
        await stderr.WriteLineAsync(
            $"aegisd runs in the background: pid {daemon.Id}, data {dataDirectory}, token file {Path.Combine(dataDirectory, "token")}, log {DaemonProcess.LogFile(dataDirectory)}");
        return ExitCodes.Ok;
    }

    private static async Task<int> RunForegroundAsync(string dll, string dataDirectory, string listen, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var daemon = DaemonProcess.StartForeground(dll, dataDirectory, listen);
        var pidFile = DaemonProcess.PidFile(dataDirectory);
        await File.WriteAllTextAsync(pidFile, daemon.Id.ToString(CultureInfo.InvariantCulture) + "\n", CancellationToken.None);
        try
        {
            await daemon.WaitForExitAsync(cancellationToken);
            await stderr.WriteLineAsync($"aegisd exited with {daemon.ExitCode}");
            return daemon.ExitCode == 0 ? ExitCodes.Ok : ExitCodes.Refused;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("stopping aegisd");
            await DaemonProcess.StopAsync(daemon, StopGrace);
            return ExitCodes.Ok;
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    /// <summary>Where to probe <c>/healthz</c>: the first of ASP.NET's <c>--urls</c>, a wildcard host read as loopback.</summary>
    private static Uri HealthUrl(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? urls;
        foreach (var wildcard in new[] { "://*", "://+", "://0.0.0.0", "://[::]" })
        {
            first = first.Replace(wildcard, "://127.0.0.1", StringComparison.Ordinal);
        }

        return GlobalOptions.ParseUrl(first, "--urls");
    }

    private static async Task PrintLogTailAsync(string log, TextWriter stderr)
    {
        if (File.Exists(log))
        {
            foreach (var line in (await File.ReadAllLinesAsync(log)).TakeLast(20))
            {
                await stderr.WriteLineAsync("  " + line);
            }
        }
    }
}
