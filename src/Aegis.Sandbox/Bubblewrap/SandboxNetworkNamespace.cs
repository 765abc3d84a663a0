using System.Net;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>
/// A named network namespace <c>aegis-&lt;short id&gt;</c> joined to the host by one veth pair: host side
/// <c>prefix.N.1/30</c>, sandbox side <c>prefix.N.2/30</c>. The sandbox can reach nothing but that link unless egress
/// is allowed; a policy rule stops the host from routing one sandbox's packets into another sandbox's link even when
/// forwarding is on.
/// </summary>
internal sealed class SandboxNetworkNamespace : IAsyncDisposable
{
    private const string Ip = "/usr/sbin/ip";
    private readonly SubnetPool _pool;
    private readonly string _prefix;
    private bool _ruleAdded;
    private bool _disposed;

    private SandboxNetworkNamespace(string name, SubnetPool pool, string prefix)
    {
        Name = name;
        _pool = pool;
        _prefix = prefix;
    }

    public string Name { get; }

    public string Path => $"/run/netns/{Name}";

    public int Slot { get; private set; } = -1;

    public string HostInterface => $"aegis{Slot}h";

    public IPAddress HostAddress => IPAddress.Parse($"{_prefix}.{Slot}.1");

    public IPAddress SandboxAddress => IPAddress.Parse($"{_prefix}.{Slot}.2");

    private string SandboxInterface => $"aegis{Slot}s";

    /// <summary>The range every sandbox link is in.</summary>
    public string AllSandboxes => $"{_prefix}.0.0/16";

    public static async Task<SandboxNetworkNamespace> CreateAsync(string name, string prefix, SubnetPool pool, SandboxNetwork network, CancellationToken cancellationToken = default)
    {
        var netns = new SandboxNetworkNamespace(name, pool, prefix);
        try
        {
            // The sandbox range never leaves the host: a live sandbox's /30 route is more specific than this
            // blackhole, and an address of a dead (or never created) sandbox must not go out the default route.
            await HostCommand.RunAsync(Ip, ["route", "replace", "blackhole", netns.AllSandboxes], cancellationToken);
            await HostCommand.RunAsync(Ip, ["netns", "add", name], cancellationToken);
            await netns.CreateLinkAsync(cancellationToken);
            await HostCommand.RunAsync(Ip, ["addr", "add", $"{netns.HostAddress}/30", "dev", netns.HostInterface], cancellationToken);
            await HostCommand.RunAsync(Ip, ["link", "set", netns.HostInterface, "up"], cancellationToken);
            await HostCommand.RunAsync(Ip, ["-n", name, "addr", "add", $"{netns.SandboxAddress}/30", "dev", netns.SandboxInterface], cancellationToken);
            await HostCommand.RunAsync(Ip, ["-n", name, "link", "set", netns.SandboxInterface, "up"], cancellationToken);
            await HostCommand.RunAsync(Ip, ["-n", name, "link", "set", "lo", "up"], cancellationToken);
            if (network.Egress == SandboxEgress.Allow)
            {
                await HostCommand.RunAsync(Ip, ["-n", name, "route", "add", "default", "via", netns.HostAddress.ToString()], cancellationToken);
            }

            await HostCommand.RunAsync(Ip, ["rule", "add", "iif", netns.HostInterface, "to", netns.AllSandboxes, "prohibit"], cancellationToken);
            netns._ruleAdded = true;

            // The sandbox runs without capabilities; it may still bind the exposed port (80) inside its own netns.
            await HostCommand.RunAsync("/usr/bin/nsenter", [$"--net={netns.Path}", "--", "/bin/sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start"], cancellationToken);
            return netns;
        }
        catch
        {
            await netns.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var failures = new List<string>();
        if (_ruleAdded)
        {
            await TryAsync(["rule", "del", "iif", HostInterface, "to", AllSandboxes, "prohibit"], failures);
        }

        if (Slot >= 0)
        {
            // Deleting one end removes the pair at once; leaving it to the netns teardown is asynchronous.
            await TryAsync(["link", "del", HostInterface], failures);
            _pool.Release(Slot);
        }

        if (File.Exists(Path))
        {
            await TryAsync(["netns", "del", Name], failures);
        }

        if (failures.Count > 0)
        {
            throw new SandboxException($"Network cleanup of {Name} incomplete: {string.Join("; ", failures)}");
        }
    }

    private static async Task TryAsync(string[] arguments, List<string> failures)
    {
        var result = await HostCommand.TryRunAsync(Ip, arguments);
        if (result.ExitCode != 0)
        {
            failures.Add($"ip {string.Join(' ', arguments)}: {result.StandardError.Trim()}");
        }
    }

    private async Task CreateLinkAsync(CancellationToken cancellationToken)
    {
        // Another daemon (or a crashed run) may hold a slot this process does not know about: skip it.
        var taken = new HashSet<int>();
        while (_pool.TryLease(taken, out var slot))
        {
            Slot = slot;
            var result = await HostCommand.TryRunAsync(
                Ip, ["link", "add", HostInterface, "type", "veth", "peer", "name", SandboxInterface, "netns", Name], cancellationToken);
            if (result.ExitCode == 0)
            {
                return;
            }

            _pool.Release(slot);
            Slot = -1;
            if (!result.StandardError.Contains("exists", StringComparison.OrdinalIgnoreCase))
            {
                throw new SandboxException($"ip link add for {Name} failed: {result.StandardError.Trim()}");
            }

            taken.Add(slot);
        }

        throw new SandboxException("No free sandbox subnet left");
    }
}
