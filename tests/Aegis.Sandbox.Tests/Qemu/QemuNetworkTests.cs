using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>slirp takes a guest anywhere the host can go, the host itself included: egress must not mean that.</summary>
public sealed class QemuNetworkTests(QemuImage image, ITestOutputHelper output) : SandboxTestBase(output), IClassFixture<QemuImage>
{
    [Fact]
    public async Task Egress_allow_reaches_neither_the_hosts_loopback_nor_its_own_addresses()
    {
        using var service = new TcpListener(IPAddress.Any, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        var hostAddress = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        var spec = ShellSpec(
            $"for target in 10.0.2.2 {hostAddress}; do " +
            $"python3 -c \"import socket,sys\ntry:\n socket.create_connection((sys.argv[1], {port}), timeout=3); print('REACHED', sys.argv[1])\nexcept OSError as e:\n print('BLOCKED', sys.argv[1], e)\" $target; done; " +
            "ip route 2>/dev/null; cat /etc/resolv.conf") with
        {
            Network = new SandboxNetwork(SandboxEgress.Allow),
        };

        var sandbox = await StartAsync(spec);
        await ExitedAsync(sandbox);

        var log = ReadLog(sandbox);
        Assert.Contains("BLOCKED 10.0.2.2", log);
        Assert.Contains($"BLOCKED {hostAddress}", log);
        Assert.DoesNotContain("REACHED", log);
        Assert.Contains("nameserver 10.0.2.3", log);
        Assert.False(service.Pending());
    }

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        QemuTestBackend.Create(image, stateDirectory, loggerFactory);
}
