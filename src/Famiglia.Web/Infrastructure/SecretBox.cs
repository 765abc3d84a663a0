using Microsoft.AspNetCore.DataProtection;

namespace Famiglia.Web.Infrastructure;

/// <summary>
/// Secrets famiglia-web must read back, sealed before they reach the database: people's and agents' XMPP passwords
/// (famiglia-web signs in as them) and agents' extra environment (AI API keys, MCP config). ASP.NET Core Data
/// Protection (AES-256-CBC + HMAC-SHA256, rotating keys) with its key ring in <see cref="FamigliaOptions.KeysDirectory"/>,
/// so a copy of the database alone, e.g. a PostgreSQL dump, does not give them away.
/// A value written before sealing existed (no prefix) is read as it is.
/// </summary>
internal sealed class SecretBox(IDataProtectionProvider provider)
{
    /// <summary>What a sealed value starts with (a value without it was stored before sealing existed).</summary>
    internal const string Prefix = "sealed:v1:";
    private readonly IDataProtector _protector = provider.CreateProtector("Famiglia.Web.Secrets.v1");

    public string Seal(string secret) => Prefix + _protector.Protect(secret);

    public string Open(string stored) =>
        stored.StartsWith(Prefix, StringComparison.Ordinal) ? _protector.Unprotect(stored[Prefix.Length..]) : stored;

    public string? OpenOrNull(string? stored) => stored is null ? null : Open(stored);
}
