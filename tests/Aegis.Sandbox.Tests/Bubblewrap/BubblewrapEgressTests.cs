using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Aegis.Sandbox;
using Aegis.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Bubblewrap;

/// <summary>
/// Egress against a "remote host" that is a network namespace this test creates (10.202.0.2 behind a veth pair), and
/// the host's own services as seen from a sandbox. No packet leaves the machine.
/// </summary>
public sealed class BubblewrapEgressTests(ITestOutputHelper output) : SandboxTestBase(output)
{
    private const string Ip = "/usr/sbin/ip";

    [Fact]
    public async Task Egress_allow_reaches_a_remote_host_deny_does_not_and_neither_reaches_host_services()
    {
        await using var remote = await RemoteHost.StartAsync();
        using var hostApi = new TcpListener(IPAddress.Any, 0);
        using var service = new TcpListener(IPAddress.Loopback, 0);
        using var stop = new CancellationTokenSource();
        try
        {
            hostApi.Start();
            service.Start();
            var apiPort = ((IPEndPoint)hostApi.LocalEndpoint).Port;
            var servicePort = ((IPEndPoint)service.LocalEndpoint).Port;
            _ = ServeAsync(hostApi, "host-api\n"u8.ToArray(), stop.Token);
            _ = ServeAsync(service, "relay-ok\n"u8.ToArray(), stop.Token);

            var allowed = (BubblewrapSandbox)await StartAsync(ProbeSpec(SandboxEgress.Allow, servicePort, apiPort));
            var denied = (BubblewrapSandbox)await StartAsync(ProbeSpec(SandboxEgress.Deny, servicePort, apiPort));
            Assert.Contains(allowed.FirewallTable, await NftAsync("list", "tables"));
            await ExitedAsync(allowed);
            await ExitedAsync(denied);

            var allowedLog = ReadLog(allowed);
            Assert.Contains("remote REACHED remote-ok", allowedLog);
            Assert.Contains("hostapi BLOCKED", allowedLog);
            Assert.Contains("hostother BLOCKED", allowedLog);
            Assert.Contains("relay REACHED relay-ok", allowedLog);
            var deniedLog = ReadLog(denied);
            Assert.Contains("remote BLOCKED", deniedLog);
            Assert.Contains("hostapi BLOCKED", deniedLog);
            Assert.Contains("hostother BLOCKED", deniedLog);
            Assert.Contains("relay REACHED relay-ok", deniedLog);
            var tables = await NftAsync("list", "tables");
            Assert.DoesNotContain(allowed.FirewallTable, tables);
            Assert.DoesNotContain(denied.FirewallTable, tables);
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    [Fact]
    public async Task A_table_a_killed_sandbox_left_on_a_link_is_removed_before_the_next_sandbox_on_that_link_starts()
    {
        // A backend with a single link slot, so the test knows the interface its sandbox gets: one no link uses now.
        var slot = await FreeSlotAsync();
        var link = $"aegis{slot}h";
        var backend = new BubblewrapBackend(
            new BubblewrapOptions { RuntimeDirectory = Path.Combine(NewWorkspace(), "run"), LogDirectory = Path.Combine(NewWorkspace(), "logs") },
            LoggerFactory, null, new SubnetPool(slot, 1));

        // What a test process killed mid-way leaves: the table of its sandbox, whose netns and link are gone, dropping
        // everything from the link. And a table of somebody else's live sandbox on another link, which must stay.
        var stale = "aegis-" + Guid.NewGuid().ToString("N")[..12];
        var other = "aegis-" + Guid.NewGuid().ToString("N")[..12];
        var rules = Path.Combine(NewWorkspace(), "planted.nft");
        await File.WriteAllTextAsync(rules, $$"""
            table inet {{stale}} {
              chain input { type filter hook input priority filter - 10; policy accept; iifname "{{link}}" drop; }
              chain forward { type filter hook forward priority filter - 10; policy accept; iifname "{{link}}" drop; oifname "{{link}}" drop; }
            }
            table inet {{other}} {
              chain input { type filter hook input priority filter - 10; policy accept; iifname "aegis{{slot + 1}}h" counter; }
            }
            """);
        await NftAsync("-f", rules);
        await using var remote = await RemoteHost.StartAsync();
        using var service = new TcpListener(IPAddress.Loopback, 0);
        using var stop = new CancellationTokenSource();
        BubblewrapSandbox? sandbox = null;
        try
        {
            service.Start();
            var servicePort = ((IPEndPoint)service.LocalEndpoint).Port;
            _ = ServeAsync(service, "relay-ok\n"u8.ToArray(), stop.Token);

            sandbox = (BubblewrapSandbox)await backend.StartAsync(ProbeSpec(SandboxEgress.Allow, servicePort, apiPort: 9)).WaitAsync(HangGuard);
            Assert.Equal(link, sandbox.HostInterface);
            await ExitedAsync(sandbox);

            var log = ReadLog(sandbox);
            Assert.Contains("remote REACHED remote-ok", log);
            Assert.Contains("relay REACHED relay-ok", log);
            var tables = await NftAsync("list", "tables");
            Assert.DoesNotContain(stale, tables);
            Assert.Contains(other, tables);
        }
        finally
        {
            await stop.CancelAsync();
            if (sandbox is not null)
            {
                await sandbox.DisposeAsync();
            }

            await SandboxFirewall.DeleteAsync(stale);
            await SandboxFirewall.DeleteAsync(other);
        }
    }

    [Fact]
    public async Task RemoveLeftovers_deletes_the_nftables_table_a_dead_daemons_sandbox_left()
    {
        // What a SIGKILLed aegisd leaves: the table of an instance no live sandbox owns.
        var instanceId = "t" + Guid.NewGuid().ToString("N")[..12];
        var table = BubblewrapBackend.NetworkNamespaceName(instanceId);
        await NftAsync("add", "table", "inet", table);

        var removed = await Backend.RemoveLeftoversAsync(instanceId);

        Assert.Contains($"nftables table inet {table}", removed);
        Assert.DoesNotContain(table, await NftAsync("list", "tables"));
    }

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        BubblewrapTestBackend.Create(stateDirectory, loggerFactory);

    /// <summary>A sandbox that probes the remote host, the host's API port, the host's side of the remote link and the
    /// relay of the internal host <c>testsvc</c>, one line each, then exits.</summary>
    private SandboxSpec ProbeSpec(SandboxEgress egress, int servicePort, int apiPort)
    {
        var workspace = NewWorkspace();
        File.WriteAllText(Path.Combine(workspace, "probe.py"), $$"""
            import socket
            def probe(label, host, port):
                try:
                    s = socket.create_connection((host, port), timeout=3)
                    print(label, "REACHED", s.recv(64).decode().strip(), flush=True)
                except OSError as e:
                    print(label, "BLOCKED", e, flush=True)
            gateway = socket.gethostbyname("testsvc")
            probe("remote", "{{RemoteHost.Address}}", {{RemoteHost.Port}})
            probe("hostapi", gateway, {{apiPort}})
            probe("hostother", "{{RemoteHost.HostAddress}}", {{apiPort}})
            probe("relay", "testsvc", {{servicePort}})
            """);
        return ShellSpec("python3 /workspace/probe.py", workspace) with
        {
            Network = new SandboxNetwork(egress),
            InternalHosts = [new InternalHost("testsvc", servicePort, new IPEndPoint(IPAddress.Loopback, servicePort))],
        };
    }

    /// <summary>A link slot in the upper range (the shared pool hands out the lowest first) whose link does not exist.</summary>
    private static async Task<int> FreeSlotAsync()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var slot = Random.Shared.Next(200, 255);
            if ((await HostCommand.TryRunAsync(Ip, ["link", "show", $"aegis{slot}h"])).ExitCode != 0)
            {
                return slot;
            }
        }

        throw new InvalidOperationException("No free link slot in 200-254");
    }

    private static async Task ServeAsync(TcpListener listener, byte[] greeting, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync(cancellationToken);
                await client.GetStream().WriteAsync(greeting, cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
            {
                return;
            }
        }
    }

    private static Task<string> NftAsync(params string[] arguments) => HostCommand.RunAsync(SandboxFirewall.Nft, arguments);

    /// <summary>
    /// The "remote host": a network namespace with <see cref="Address"/> behind a veth pair whose host side is
    /// <see cref="HostAddress"/>, answering <c>remote-ok</c> on <see cref="Port"/>.
    /// </summary>
    private sealed class RemoteHost : IAsyncDisposable
    {
        public const string Address = "10.202.0.2";
        public const string HostAddress = "10.202.0.1";
        public const int Port = 8080;

        private readonly string _netns;
        private readonly string _hostLink;
        private Process? _server;

        private RemoteHost(string netns, string hostLink)
        {
            _netns = netns;
            _hostLink = hostLink;
        }

        public static async Task<RemoteHost> StartAsync()
        {
            var suffix = Guid.NewGuid().ToString("N")[..6];
            var remote = new RemoteHost($"aegis-test-remote-{suffix}", $"aegt{suffix[..4]}h");
            try
            {
                await HostCommand.RunAsync(Ip, ["netns", "add", remote._netns]);
                await HostCommand.RunAsync(Ip, ["link", "add", remote._hostLink, "type", "veth", "peer", "name", "remote0", "netns", remote._netns]);
                await HostCommand.RunAsync(Ip, ["addr", "add", HostAddress + "/30", "dev", remote._hostLink]);
                await HostCommand.RunAsync(Ip, ["link", "set", remote._hostLink, "up"]);
                await HostCommand.RunAsync(Ip, ["-n", remote._netns, "addr", "add", Address + "/30", "dev", "remote0"]);
                await HostCommand.RunAsync(Ip, ["-n", remote._netns, "link", "set", "remote0", "up"]);
                remote._server = StartServer(remote._netns);
                await WaitUntilAsync(AnswersAsync, "the remote server");
                return remote;
            }
            catch
            {
                await remote.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_server is not null)
            {
                _server.Kill();
                await _server.WaitForExitAsync();
                _server.Dispose();
            }

            await HostCommand.TryRunAsync(Ip, ["link", "del", _hostLink]);
            await HostCommand.TryRunAsync(Ip, ["netns", "del", _netns]);
        }

        private static Process StartServer(string netns)
        {
            var startInfo = new ProcessStartInfo(Ip) { UseShellExecute = false };
            foreach (var argument in new[]
            {
                "netns", "exec", netns, "python3", "-c",
                $"import socket\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
                $"s.bind(('{Address}', {Port}))\ns.listen()\nwhile True:\n c, _ = s.accept()\n c.sendall(b'remote-ok\\n')\n c.close()",
            })
            {
                startInfo.ArgumentList.Add(argument);
            }

            return Process.Start(startInfo)!;
        }

        private static async Task<bool> AnswersAsync()
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(Address, Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
