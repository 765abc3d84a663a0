using System.Text.Json;

namespace Famiglia.Kit;

/// <summary>Reads the fields of a hook's request (aegisd's wire format: snake_case, see Aegis.Core's KitHooksJson).
/// Problems name the field but never quote the request, which for render_env holds secrets.</summary>
internal static class HookRequest
{
    public static async Task<JsonDocument> ReadAsync(Stream stdin, CancellationToken cancellationToken = default)
    {
        try
        {
            var document = await JsonDocument.ParseAsync(stdin, cancellationToken: cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new HookFailedException("the request on stdin is not a JSON object");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw new HookFailedException($"the request on stdin is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
    }

    /// <summary>The object <paramref name="name"/> of <paramref name="parent"/>.</summary>
    public static JsonElement Object(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new HookFailedException($"the request's {path} is missing or not an object");

    /// <summary>The non-empty string <paramref name="name"/> of <paramref name="parent"/>.</summary>
    public static string Text(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new HookFailedException($"the request's {path} is missing or not a non-empty string");

    /// <summary>The app's config: <c>canvas.config</c>, null when absent.</summary>
    public static JsonElement? Config(JsonElement canvas) =>
        canvas.TryGetProperty("config", out var config) && config.ValueKind != JsonValueKind.Null ? config : null;

    /// <summary>An object of strings, such as <c>env</c>; values are not shown in problems.</summary>
    public static Dictionary<string, string> Strings(JsonElement parent, string name, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new HookFailedException($"the request's {path} is not an object of strings");
        }

        foreach (var property in value.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : throw new HookFailedException($"the request's {path}.{property.Name} is not a string");
        }

        return result;
    }
}
