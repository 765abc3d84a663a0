using System.Security.Cryptography;
using System.Text;

namespace Famiglia.Web.AgentApi;

/// <summary>API keys: 32 random bytes, base64url, prefixed <c>fam_</c>; stored only as SHA-256 (hex).
/// A plain hash suffices because the keys are random, not chosen by people.</summary>
internal static class ApiKeyHasher
{
    public const string KeyPrefix = "fam_";

    public static string NewKey() => KeyPrefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
