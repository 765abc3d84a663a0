using System.Globalization;
using System.Text.Json;

namespace Aegis.Cli.Output;

/// <summary>Reading fields of aegisd's JSON for tables, and printing it whole for <c>--json</c>.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Task PrintAsync(TextWriter output, JsonElement json) =>
        output.WriteLineAsync(JsonSerializer.Serialize(json, Indented));

    /// <summary>The property as text; <c>-</c> when absent or null.</summary>
    public static string Text(this JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? value.ToString()
            : "-";

    public static bool Flag(this JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>A timestamp property in local time, to the second.</summary>
    public static string Time(this JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var time)
            ? time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : "-";

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
    };
}
