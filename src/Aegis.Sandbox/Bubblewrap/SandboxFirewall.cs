using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>
/// One nftables table per sandbox (<c>inet &lt;netns name&gt;</c>): from its host-side veth the host itself accepts only
/// the internal-host relays and replies to connections the host opened (the router's); forwarding out of the link
/// is accepted and masqueraded only with egress <see cref="SandboxEgress.Allow"/>, and never towards another sandbox
/// or the host's own addresses. Everything else from the link is dropped. Removed with the sandbox.
/// A table another sandbox left on the same link (its owner was killed before it could remove it) is removed first:
/// its drop rules would otherwise apply to the new sandbox too.
/// </summary>
internal sealed class SandboxFirewall : IAsyncDisposable
{
    public const string Nft = "/usr/sbin/nft";
    private const string IpForward = "/proc/sys/net/ipv4/ip_forward";
    private bool _disposed;

    private SandboxFirewall(string table, IReadOnlyList<string> staleTables)
    {
        Table = table;
        StaleTables = staleTables;
    }

    public string Table { get; }

    /// <summary>Tables of dead sandboxes that named this sandbox's link, deleted before this one was loaded.</summary>
    public IReadOnlyList<string> StaleTables { get; }

    public static async Task<SandboxFirewall> CreateAsync(
        string table, SandboxNetworkNamespace network, SandboxEgress egress, IEnumerable<int> relayPorts, string rulesFile, CancellationToken cancellationToken = default)
    {
        var link = network.HostInterface;
        var ports = string.Join(", ", relayPorts.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        var rules = new StringBuilder();
        rules.AppendLine(CultureInfo.InvariantCulture, $"table inet {table} {{");
        rules.AppendLine("  chain input {");
        rules.AppendLine("    type filter hook input priority filter - 10; policy accept;");
        if (ports.Length > 0)
        {
            rules.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{link}\" ip daddr {network.HostAddress} tcp dport {{ {ports} }} accept");
        }

        rules.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{link}\" ct state established,related accept");
        rules.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{link}\" drop");
        rules.AppendLine("  }");
        rules.AppendLine("  chain forward {");
        rules.AppendLine("    type filter hook forward priority filter - 10; policy accept;");
        rules.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{link}\" ip daddr {network.AllSandboxes} drop");
        if (egress == SandboxEgress.Allow)
        {
            rules.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{link}\" ip saddr {network.SandboxAddress} accept");
            rules.AppendLine(CultureInfo.InvariantCulture, $"    oifname \"{link}\" ip daddr {network.SandboxAddress} ct state established,related accept");
        }

        rules.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{link}\" drop");
        rules.AppendLine(CultureInfo.InvariantCulture, $"    oifname \"{link}\" drop");
        rules.AppendLine("  }");
        if (egress == SandboxEgress.Allow)
        {
            rules.AppendLine("  chain postrouting {");
            rules.AppendLine("    type nat hook postrouting priority srcnat; policy accept;");
            rules.AppendLine(CultureInfo.InvariantCulture, $"    ip saddr {network.SandboxAddress} oifname != \"{link}\" masquerade");
            rules.AppendLine("  }");
        }

        rules.AppendLine("}");
        var stale = await DeleteTablesNamingAsync(link, cancellationToken);
        await File.WriteAllTextAsync(rulesFile, rules.ToString(), cancellationToken);
        await HostCommand.RunAsync(Nft, ["-f", rulesFile], cancellationToken);
        var firewall = new SandboxFirewall(table, stale);
        if (egress == SandboxEgress.Allow)
        {
            // Forwarding is host-wide in IPv4 (the input device's setting decides, including for replies); what is
            // forwarded for sandboxes is decided by the forward chain above.
            try
            {
                if ((await File.ReadAllTextAsync(IpForward, cancellationToken)).Trim() != "1")
                {
                    await File.WriteAllTextAsync(IpForward, "1", cancellationToken);
                }
            }
            catch
            {
                await firewall.DisposeAsync();
                throw;
            }
        }

        return firewall;
    }

    /// <summary>Deletes the table <paramref name="table"/> if it exists; true when it did.</summary>
    public static async Task<bool> DeleteAsync(string table, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Nft))
        {
            return false;
        }

        var result = await HostCommand.TryRunAsync(Nft, ["delete", "table", "inet", table], cancellationToken);
        return result.ExitCode == 0;
    }

    /// <summary>
    /// Deletes every <c>inet aegis-*</c> table with a rule naming the interface <paramref name="link"/>; returns their
    /// names. Only for a link the caller has just created: while a sandbox lives its link exists, so no live sandbox
    /// (of this daemon or another) can own such a table, and a sandbox removes its table before its link.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> DeleteTablesNamingAsync(string link, CancellationToken cancellationToken = default)
    {
        var listing = await HostCommand.RunAsync(Nft, ["-j", "list", "ruleset", "inet"], cancellationToken);
        var quoted = JsonSerializer.Serialize(link);
        var stale = new SortedSet<string>(StringComparer.Ordinal);
        using (var document = JsonDocument.Parse(listing))
        {
            foreach (var item in document.RootElement.GetProperty("nftables").EnumerateArray())
            {
                // A rule names an interface as a JSON string ("right": "aegis1h"), in a set or alone.
                if (item.TryGetProperty("rule", out var rule)
                    && rule.GetProperty("table").GetString() is { } name
                    && name.StartsWith("aegis-", StringComparison.Ordinal)
                    && rule.GetProperty("expr").GetRawText().Contains(quoted, StringComparison.Ordinal))
                {
                    stale.Add(name);
                }
            }
        }

        var deleted = new List<string>();
        foreach (var name in stale)
        {
            if (await DeleteAsync(name, cancellationToken))
            {
                deleted.Add(name);
            }
        }

        return deleted;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var result = await HostCommand.TryRunAsync(Nft, ["delete", "table", "inet", Table]);
        if (result.ExitCode != 0 && !result.StandardError.Contains("No such file", StringComparison.Ordinal))
        {
            throw new SandboxException($"nft delete table inet {Table} failed: {result.StandardError.Trim()}");
        }
    }
}
