using System.Diagnostics;
using System.Text;
using Famiglia.Xmpp;
using Famiglia.Xmpp.Admin;
using Xunit;

namespace Famiglia.TestKit;

/// <summary>
/// A private, real ejabberd (Debian's package) for tests: its own node name, free loopback ports, and a
/// temp dir holding config, certificate, spool and logs, rendered from <c>deploy/ejabberd/ejabberd.yml</c>.
/// Stopped and removed on dispose, also when the test failed. Several run side by side without colliding.
/// </summary>
public sealed class EjabberdFixture : IAsyncLifetime
{
    public const string DefaultHost = "dev1.localhost";
    private const string Ejabberdctl = "/usr/sbin/ejabberdctl";
    private static int _instances;
    private readonly TempDirectory _dir;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public EjabberdFixture() : this(DefaultHost, "sha256")
    {
    }

    private EjabberdFixture(string host, string scramHash)
    {
        Host = host;
        ScramHash = scramHash;
        _dir = TempDirectory.Create("ejabberd");
        C2SPort = FreePort.Next();
        HttpPort = FreePort.Next();
        NodeName = $"famtest{Environment.ProcessId}n{Interlocked.Increment(ref _instances)}@localhost";
        Admin = new EjabberdAdminClient(Http, AdminApiUri);
    }

    /// <summary>The XMPP domain.</summary>
    public string Host { get; }

    /// <summary>The SCRAM hash ejabberd stores passwords with (sha or sha256); it decides the mechanism offered.</summary>
    public string ScramHash { get; }

    public int C2SPort { get; }

    public int HttpPort { get; }

    public string NodeName { get; }

    /// <summary>The MUC service, conference.{host}.</summary>
    public string MucService => $"conference.{Host}";

    /// <summary>TCP endpoint for clients: xmpp://127.0.0.1:{port}.</summary>
    public Uri TcpUri => new($"xmpp://127.0.0.1:{C2SPort}");

    /// <summary>RFC 7395 endpoint: ws://127.0.0.1:{port}/ws.</summary>
    public Uri WebSocketUri => new($"ws://127.0.0.1:{HttpPort}/ws");

    /// <summary>mod_http_api, version 0.</summary>
    public Uri AdminApiUri => new($"http://127.0.0.1:{HttpPort}/api/v0/");

    /// <summary>The certificate ejabberd serves (PEM, no key), for pinning in clients.</summary>
    public string CertificatePath { get; private set; } = "";

    public string LogDirectory => _dir.Combine("logs");

    public EjabberdAdminClient Admin { get; }

    private HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Starts a fixture outside xunit's lifecycle (dispose it with <see cref="DisposeAsync"/>).</summary>
    public static async Task<EjabberdFixture> StartNewAsync(string host = DefaultHost, string scramHash = "sha256")
    {
        var fixture = new EjabberdFixture(host, scramHash);
        try
        {
            await fixture.InitializeAsync();
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }

        return fixture;
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Ejabberdctl))
        {
            throw new InvalidOperationException($"{Ejabberdctl} is missing: run ./famiglia test, which installs Debian's ejabberd package.");
        }

        CertificatePath = SelfSignedCertificate.Write(Host, _dir.Combine("cert.pem"));
        var template = await File.ReadAllTextAsync(RepositoryPaths.Combine("deploy", "ejabberd", "ejabberd.yml"));
        var config = template
            .Replace("{{HOST}}", Host, StringComparison.Ordinal)
            .Replace("{{C2S_PORT}}", C2SPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{HTTP_PORT}}", HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{CERTFILE}}", _dir.Combine("cert.pem"), StringComparison.Ordinal)
            .Replace("{{SPOOL}}", _dir.Combine("spool"), StringComparison.Ordinal)
            .Replace("auth_scram_hash: sha256", $"auth_scram_hash: {ScramHash}", StringComparison.Ordinal);
        await File.WriteAllTextAsync(_dir.Combine("ejabberd.yml"), config);
        await File.WriteAllTextAsync(_dir.Combine("ejabberdctl.cfg"), "");
        await File.WriteAllTextAsync(_dir.Combine("inetrc"), "");
        Directory.CreateDirectory(_dir.Combine("spool"));
        Directory.CreateDirectory(LogDirectory);
        GiveToEjabberdUser();
        await StartAsync();
    }

    /// <summary>Stops ejabberd and starts it again on the same ports with the same data (accounts,
    /// persistent rooms and archives survive; sessions do not).</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        _dir.Dispose();
    }

    /// <summary>Registers an account with a random password and returns client options for it.</summary>
    public async Task<XmppClientOptions> CreateAccountAsync(string user, bool webSocket = false)
    {
        var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        await Admin.RegisterAsync(user, Host, password);
        return ClientOptions(user, password, webSocket);
    }

    /// <summary>Client options for this server: TCP with STARTTLS pinned to the fixture's certificate, or WebSocket.</summary>
    public XmppClientOptions ClientOptions(string user, string password, bool webSocket = false) => new()
    {
        Service = webSocket ? WebSocketUri : TcpUri,
        Domain = Host,
        Username = user,
        Password = password,
        Tls = new XmppTlsOptions { Mode = XmppTlsMode.Required, PinnedCertificatePath = CertificatePath },
        ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromSeconds(2),
    };

    /// <summary>The last lines of ejabberd's log, for failure messages.</summary>
    public string LogTail(int lines = 40)
    {
        var path = Path.Combine(LogDirectory, "ejabberd.log");
        var log = File.Exists(path) ? File.ReadAllLines(path).TakeLast(lines) : [];
        lock (_output)
        {
            return string.Join('\n', log) + "\n--- ejabberdctl output ---\n" + _output;
        }
    }

    private async Task StartAsync()
    {
        var process = new Process { StartInfo = Ctl("foreground") };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"ejabberd exited with code {process.ExitCode} while starting.\n{LogTail()}");
            }

            try
            {
                var status = await Admin.StatusAsync();
                if (status.Contains("started", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (EjabberdAdminException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"ejabberd did not answer on {AdminApiUri} within 90 s.\n{LogTail()}");
            }

            await Task.Delay(100);
        }
    }

    private async Task StopAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            using (var stop = Process.Start(Ctl("stop"))!)
            {
                await stop.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token).ContinueWith(static _ => { }, TaskScheduler.Default);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
    }

    private ProcessStartInfo Ctl(string command)
    {
        var info = new ProcessStartInfo(Ejabberdctl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir.Path,
        };
        foreach (var argument in new[]
        {
            "--config-dir", _dir.Path, "--config", _dir.Combine("ejabberd.yml"), "--ctl-config", _dir.Combine("ejabberdctl.cfg"),
            "--spool", _dir.Combine("spool"), "--logs", LogDirectory, "--node", NodeName, command,
        })
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>Debian's ejabberdctl re-runs itself as user 'ejabberd' when started as root: that user must own the files.</summary>
    private void GiveToEjabberdUser()
    {
        if (Environment.UserName != "root")
        {
            return; // running as the ejabberd user itself, or ejabberdctl will say what is wrong
        }

        using var chown = Process.Start("chown", ["-R", "ejabberd:ejabberd", _dir.Path])!;
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown of {_dir.Path} to user ejabberd failed ({chown.ExitCode}).");
        }
    }
}
