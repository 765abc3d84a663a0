using System.Text.Encodings.Web;
using System.Text.Json;

namespace Aegis.Core.Kits;

/// <summary>Masks secret values in text a hook wrote, before it reaches a log line or an exception message.</summary>
/// <remarks>A hook may echo its request, so each secret is masked as written, as JSON-escaped on the wire, and
/// line by line when it spans several lines (a PEM key read back one stderr line at a time).</remarks>
internal sealed class SecretRedactor
{
    private const string Mask = "***";
    private readonly string[] _terms;

    private SecretRedactor(string[] terms) => _terms = terms;

    public static SecretRedactor None { get; } = new([]);

    public static SecretRedactor For(IEnumerable<string> secrets)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret))
            {
                continue;
            }

            terms.Add(secret);
            terms.Add(JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value);
            foreach (var line in secret.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                terms.Add(line);
            }
        }

        terms.Remove("");
        // Longest first, so a secret containing another is masked whole.
        return new SecretRedactor([.. terms.OrderByDescending(t => t.Length)]);
    }

    public string Redact(string text)
    {
        foreach (var term in _terms)
        {
            text = text.Replace(term, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
