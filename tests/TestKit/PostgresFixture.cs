using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Famiglia.TestKit;

/// <summary>
/// A private, real PostgreSQL (Debian's package) for tests: <c>initdb</c> in a temp dir, the server on a free loopback
/// port with its socket in that dir, trust authentication for the <c>postgres</c> superuser. Each caller takes its own
/// database with <see cref="NewDatabase"/> (created by the application's migrations). Stopped and removed on dispose.
/// As root the server runs as the <c>postgres</c> user (setpriv, no fork), since PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private static int _databases;
    private readonly TempDirectory _dir = TempDirectory.Create("postgres");
    private readonly StringBuilder _output = new();
    private Process? _process;

    public int Port { get; } = FreePort.Next();

    /// <summary>A connection string for a fresh database name on this server (the database itself does not exist yet).</summary>
    public string NewDatabase() =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database=famiglia_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)};Pooling=true";

    public async Task InitializeAsync()
    {
        var bin = FindBinDirectory();
        var data = _dir.Combine("data");
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", _dir.Path]);
        }

        await RunAsync(Path.Combine(bin, "initdb"),
            ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"], asRoot);

        var info = Start(Path.Combine(bin, "postgres"),
            ["-D", data, "-p", Port.ToString(), "-k", _dir.Path, "-c", "listen_addresses=127.0.0.1",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"], asRoot);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Capture(e.Data);
        _process.ErrorDataReceived += (_, e) => Capture(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await AcceptsAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"PostgreSQL did not start on port {Port}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            // SIGINT: PostgreSQL's "fast shutdown" (disconnect clients, stop).
            using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString()]))
            {
                await interrupt.WaitForExitAsync();
            }

            if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process?.Dispose();
        _dir.Dispose();
    }

    private async Task<bool> AcceptsAsync()
    {
        // pg_isready says "accepting connections" only once startup is over, not just when the port is open.
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", Port);
        }
        catch (SocketException)
        {
            return false;
        }

        var check = new ProcessStartInfo("pg_isready", ["-h", "127.0.0.1", "-p", Port.ToString(), "-U", "postgres"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(check)!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }

    private static string FindBinDirectory()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Where(d => File.Exists(Path.Combine(d, "bin", "postgres"))).Order().ToList()
            : [];
        return versions.Count > 0
            ? Path.Combine(versions[^1], "bin")
            : throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): apt-get install -y postgresql.");
    }

    private static ProcessStartInfo Start(string program, IEnumerable<string> arguments, bool asPostgres = false)
    {
        var info = asPostgres ? new ProcessStartInfo("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. arguments]) : new ProcessStartInfo(program, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return info;
    }

    private static async Task RunAsync(string program, IEnumerable<string> arguments, bool asPostgres = false)
    {
        using var process = Process.Start(Start(program, arguments, asPostgres))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}:\n{await output}{await error}");
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
