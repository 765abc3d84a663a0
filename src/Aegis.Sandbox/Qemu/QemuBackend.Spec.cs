using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Aegis.Sandbox.Qemu;

/// <summary>From a <see cref="SandboxSpec"/> to what the guest gets: its disks and the agent's <c>run</c> message.</summary>
public sealed partial class QemuBackend
{
    private (List<ShareDisk> Shares, List<(string Source, string Path)> Binds) PlanShares(SandboxSpec spec, QemuPaths paths)
    {
        var canvas = spec.CanvasDirectory ?? Path.Combine(spec.WorkspaceDirectory, "canvas");
        Directory.CreateDirectory(canvas);
        var workspace = Path.GetFullPath(spec.WorkspaceDirectory).TrimEnd('/');
        var shares = new List<ShareDisk> { new("aegis-workspace", "/workspace", workspace, paths.Share(0)) };
        var binds = new List<(string Source, string Path)>();
        var fullCanvas = Path.GetFullPath(canvas).TrimEnd('/');
        if (fullCanvas.StartsWith(workspace + "/", StringComparison.Ordinal))
        {
            // The default: the canvas is a directory of the workspace, so it rides on the workspace disk.
            binds.Add(("/workspace/" + Path.GetRelativePath(workspace, fullCanvas), "/canvas"));
        }
        else
        {
            shares.Add(new ShareDisk("aegis-canvas", "/canvas", fullCanvas, paths.Share(1)));
        }

        return (shares, binds);
    }

    private JsonObject RunMessage(SandboxSpec spec, IReadOnlyList<ShareDisk> shares, List<(string Source, string Path)> binds)
    {
        var environment = new Dictionary<string, string>(spec.Image?.Environment ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in spec.Environment)
        {
            environment[name] = value;
        }

        environment.TryAdd("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        var env = new JsonObject();
        foreach (var (name, value) in environment)
        {
            env[name] = value;
        }

        var allow = spec.Network.Egress == SandboxEgress.Allow;
        var blackholes = new JsonArray();
        if (allow)
        {
            // With egress on, slirp would also carry the guest to the host itself: 10.0.2.2 is the host's loopback and
            // the host's own addresses are just more destinations. The guest's routing table (root's, not the
            // command's) sends those nowhere.
            blackholes.Add("10.0.2.2/32");
            foreach (var address in HostAddresses())
            {
                blackholes.Add(address + "/32");
            }
        }

        return new JsonObject
        {
            ["type"] = "run",
            ["command"] = spec.Command,
            ["args"] = new JsonArray([.. spec.Arguments.Select(a => (JsonNode?)a)]),
            ["env"] = env,
            ["uid"] = _options.SandboxUid,
            ["exposePort"] = spec.Network.ExposePort,
            ["memoryBytes"] = spec.Resources.MemoryBytes,
            ["pidsLimit"] = spec.Resources.PidsLimit,
            ["cpuCores"] = spec.Resources.CpuCores,
            ["disks"] = new JsonArray([
                .. shares.Select(s => (JsonNode?)new JsonObject { ["label"] = s.Label, ["path"] = s.GuestPath, ["fresh"] = true }),
                .. spec.ReleaseDirectory is null ? [] : new[] { (JsonNode?)new JsonObject { ["label"] = ReleaseDisk.Label, ["path"] = "/agent", ["fresh"] = false, ["readOnly"] = true } },
            ]),
            ["binds"] = new JsonArray([.. binds.Select(b => (JsonNode?)new JsonObject { ["source"] = b.Source, ["path"] = b.Path })]),
            ["hosts"] = new JsonArray([.. spec.InternalHosts.Select(h => h.Name).Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(name => (JsonNode?)new JsonObject { ["name"] = name, ["address"] = QemuMachine.InternalHostsAddress })]),
            ["blackholes"] = blackholes,
            ["dns"] = allow ? "10.0.2.3" : null,
        };
    }

    private static IEnumerable<string> HostAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .Select(a => a.ToString())
            .Distinct();

    private static void Validate(SandboxSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!InstanceIdPattern().IsMatch(spec.InstanceId) || spec.InstanceId is "." or "..")
        {
            throw new ArgumentException($"Instance id '{spec.InstanceId}' must be 1-64 letters, digits, '-', '_' or '.'", nameof(spec));
        }

        if (string.IsNullOrEmpty(spec.Command))
        {
            throw new ArgumentException("A command is required", nameof(spec));
        }

        if (!Path.IsPathFullyQualified(spec.WorkspaceDirectory) || !Directory.Exists(spec.WorkspaceDirectory))
        {
            throw new ArgumentException($"Workspace {spec.WorkspaceDirectory} must be an existing absolute path", nameof(spec));
        }

        foreach (var (name, value) in spec.Environment.Concat(spec.Image?.Environment ?? new Dictionary<string, string>()))
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0') || value.Contains('\0'))
            {
                throw new ArgumentException($"Environment variable '{name}' has an invalid name or value", nameof(spec));
            }
        }

        foreach (var host in spec.InternalHosts)
        {
            if (!HostNamePattern().IsMatch(host.Name) || host.Port is < 1 or > 65535)
            {
                throw new ArgumentException($"Internal host '{host.Name}:{host.Port}' needs a host name and a port in 1-65535", nameof(spec));
            }
        }

        var ports = spec.InternalHosts.GroupBy(h => h.Port).FirstOrDefault(g => g.Select(h => h.Target).Distinct().Count() > 1);
        if (ports is not null)
        {
            throw new ArgumentException($"Internal hosts {string.Join(", ", ports.Select(h => h.Name))} share port {ports.Key} but have different targets", nameof(spec));
        }

        if (spec.Resources.MemoryBytes < 4 * 1024 * 1024 || spec.Resources.PidsLimit < 4 || spec.Resources.CpuCores <= 0)
        {
            throw new ArgumentException("Resources must allow at least 4 MiB, 4 pids and some CPU", nameof(spec));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex InstanceIdPattern();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostNamePattern();
}
