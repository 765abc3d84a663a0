using System.Text.Json;

namespace Aegis.Cli.Api;

/// <summary>Turns a refused response into an <see cref="AegisApiException"/>, from its problem details when it has them.</summary>
internal static class ProblemReader
{
    public static async Task<AegisApiException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var fallbackTitle = response.ReasonPhrase is { Length: > 0 } reason ? reason : $"HTTP {status}";
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var errors = root.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array
                    ? list.EnumerateArray().Select(e => e.ToString()).ToList()
                    : [];
                return new AegisApiException(status, String(root, "title") ?? fallbackTitle, String(root, "detail"), String(root, "field"), errors);
            }
        }
        catch (JsonException)
        {
            // Not JSON: report the text itself.
        }

        var detail = text.Trim() is { Length: > 0 } body ? (body.Length > 300 ? body[..300] + "…" : body) : null;
        return new AegisApiException(status, fallbackTitle, detail, null, []);
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
