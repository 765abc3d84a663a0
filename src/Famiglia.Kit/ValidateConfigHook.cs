using System.Text.Json;

namespace Famiglia.Kit;

/// <summary>
/// <c>validate_config</c>: <c>{canvas_config}</c> → <c>{ok, errors}</c>. Checks the config's fields, then asks
/// famiglia-web whether the name is free in the group and the XMPP user is free. When famiglia-web cannot be asked
/// the hook fails rather than let a config through unchecked.
/// </summary>
internal static class ValidateConfigHook
{
    public static async Task<IReadOnlyList<string>> ValidateAsync(
        JsonElement request, KitSettings settings, Func<FamigliaWebClient> connect, CancellationToken cancellationToken = default)
    {
        var config = request.TryGetProperty("canvas_config", out var value) && value.ValueKind != JsonValueKind.Null ? value : (JsonElement?)null;
        var errors = new List<string>();
        AgentAppConfig.Read(config, settings, errors);

        // Uniqueness is checked even when other fields are wrong, so the user sees every problem at once.
        if (config is { ValueKind: JsonValueKind.Object } root
            && Text(root, "groupId") is { } groupId && Text(root, "name") is { } name && Text(root, "slug") is { } slug)
        {
            using var famiglia = connect();
            var availability = await famiglia.GetAvailabilityAsync(groupId, name, slug, cancellationToken);
            if (!availability.GroupExists)
            {
                errors.Add($"groupId '{groupId}' is not a group famiglia-web knows");
            }

            if (availability.NameTaken)
            {
                errors.Add($"name '{name}' is already the name of another agent in this group");
            }

            if (availability.SlugTaken)
            {
                errors.Add($"slug '{slug}' is already the XMPP user of another agent");
            }
        }

        return errors;
    }

    public static void Write(Utf8JsonWriter json, IReadOnlyList<string> errors)
    {
        json.WriteStartObject();
        json.WriteBoolean("ok", errors.Count == 0);
        json.WriteStartArray("errors");
        foreach (var error in errors)
        {
            json.WriteStringValue(error);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string? Text(JsonElement root, string field) =>
        root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Trim() is { Length: > 0 } text
            ? text
            : null;
}
