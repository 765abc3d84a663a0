namespace Aegis.Core.Kits;

/// <summary>What an <see cref="ExposedPort"/> speaks.</summary>
/// <remarks>The router proxies HTTP (and WebSocket upgrades, see <see cref="KitRouting.WebSocket"/>) only, so
/// <c>http</c> is the one protocol a manifest may name.</remarks>
public enum ExposeProtocol
{
    /// <summary><c>http</c>.</summary>
    Http,
}
