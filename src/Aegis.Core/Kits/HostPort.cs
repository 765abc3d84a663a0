using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Aegis.Core.Kits;

/// <summary>A host service a sandbox may reach, written <c>host:port</c> in the manifest (<c>famiglia-web:3000</c>).</summary>
/// <param name="Host">A DNS name or IPv4 address; <c>_</c> is allowed because compose service names use it.</param>
/// <param name="Port">1-65535.</param>
public sealed partial record HostPort(string Host, int Port)
{
    /// <summary>Parses <c>host:port</c>.</summary>
    /// <returns>False when <paramref name="text"/> is not a host name, a colon and a port in 1-65535.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out HostPort? hostPort)
    {
        hostPort = null;
        var colon = text?.LastIndexOf(':') ?? -1;
        if (colon <= 0)
        {
            return false;
        }

        var host = text![..colon];
        var port = text[(colon + 1)..];
        if (!HostName().IsMatch(host)
            || !PortDigits().IsMatch(port)
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number is < 1 or > 65535)
        {
            return false;
        }

        hostPort = new HostPort(host, number);
        return true;
    }

    /// <summary>The manifest form, <c>host:port</c>.</summary>
    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();

    [GeneratedRegex("^[0-9]{1,5}$", RegexOptions.CultureInvariant)]
    private static partial Regex PortDigits();
}
