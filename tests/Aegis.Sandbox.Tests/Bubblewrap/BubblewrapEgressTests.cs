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
    private const int RemotePort = 8080;

    [Fact]
    public async Task Egress_allow_reaches_a_remote_host_deny_does_not_and_neither_reaches_host_services()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var remoteNs = $"aegis-test-remote-{suffix}";
        var hostLink = $"aegt{suffix[..4]}h";
        using var hostApi = new TcpListener(IPAddress.Any, 0);
        using var service = new TcpListener(IPAddress.Loopback, 0);
        using var stop = new CancellationTokenSource();
        Process? remote = null;
        try
        {
            await HostCommand.RunAsync(Ip, ["netns", "add", remoteNs]);
            await HostCommand.RunAsync(Ip, ["link", "add", hostLink, "type", "veth", "peer", "name", "remote0", "netns", remoteNs]);
            await HostCommand.RunAsync(Ip, ["addr", "add", "10.202.0.1/30", "dev", hostLink]);
            await HostCommand.RunAsync(Ip, ["link", "set", hostLink, "up"]);
            await HostCommand.RunAsync(Ip, ["-n", remoteNs, "addr", "add", "10.202.0.2/30", "dev", "remote0"]);
            await HostCommand.RunAsync(Ip, ["-n", remoteNs, "link", "set", "remote0", "up"]);
            remote = StartRemoteServer(remoteNs);
            await WaitUntilAsync(RemoteAnswersAsync, "the remote server");

            hostApi.Start();
            service.Start();
            var apiPort = ((IPEndPoint)hostApi.LocalEndpoint).Port;
            var servicePort = ((IPEndPoint)service.LocalEndpoint).Port;
            _ = ServeAsync(hostApi, "host-api\n"u8.ToArray(), stop.Token);
            _ = ServeAsync(service, "relay-ok\n"u8.ToArray(), stop.Token);

            var script = $$"""
                import socket
                def probe(label, host, port):
                    try:
                        s = socket.create_connection((host, port), timeout=3)
                        print(label, "REACHED", s.recv(64).decode().strip(), flush=True)
                    except OSError as e:
                        print(label, "BLOCKED", e, flush=True)
                gateway = socket.gethostbyname("testsvc")
                probe("remote", "10.202.0.2", {{RemotePort}})
                probe("hostapi", gateway, {{apiPort}})
                probe("hostother", "10.202.0.1", {{apiPort}})
                probe("relay", "testsvc", {{servicePort}})
                """;
            SandboxSpec Spec(SandboxEgress egress)
            {
                var workspace = NewWorkspace();
                File.WriteAllText(Path.Combine(workspace, "probe.py"), script);
                return ShellSpec("python3 /workspace/probe.py", workspace) with
                {
                    Network = new SandboxNetwork(egress),
                    InternalHosts = [new InternalHost("testsvc", servicePort, new IPEndPoint(IPAddress.Loopback, servicePort))],
                };
            }

            var allowed = (BubblewrapSandbox)await StartAsync(Spec(SandboxEgress.Allow));
            var denied = (BubblewrapSandbox)await StartAsync(Spec(SandboxEgress.Deny));
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
            if (remote is not null)
            {
                remote.Kill();
                await remote.WaitForExitAsync();
                remote.Dispose();
            }

            await HostCommand.TryRunAsync(Ip, ["link", "del", hostLink]);
            await HostCommand.TryRunAsync(Ip, ["netns", "del", remoteNs]);
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

    private static Process StartRemoteServer(string netns)
    {
        var startInfo = new ProcessStartInfo(Ip) { UseShellExecute = false };
        foreach (var argument in new[]
        {
            "netns", "exec", netns, "python3", "-c",
            $"import socket\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
            $"s.bind(('10.202.0.2', {RemotePort}))\ns.listen()\nwhile True:\n c, _ = s.accept()\n c.sendall(b'remote-ok\\n')\n c.close()",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo)!;
    }

    private static async Task<bool> RemoteAnswersAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("10.202.0.2", RemotePort);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
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
}
