using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aegis.Core.Kits;

internal sealed record RenderEnvRequest(KitCanvas Canvas, IReadOnlyDictionary<string, string> Secrets, IReadOnlyDictionary<string, string> Env);

internal sealed record ValidateConfigRequest(JsonElement CanvasConfig);

internal sealed record OnPublishRequest(KitCanvas Canvas, string Version, IReadOnlyList<KitArtifact> Artifacts);

/// <summary>The hook wire format: snake_case names; dictionary keys (environment variable names) as they are.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RenderEnvRequest))]
[JsonSerializable(typeof(ValidateConfigRequest))]
[JsonSerializable(typeof(OnPublishRequest))]
internal sealed partial class KitHooksJson : JsonSerializerContext
{
    /// <summary>Escapes only what JSON requires, so a secret reaches the hook (and, should a hook echo its
    /// request, the redactor) spelt as it is rather than as <c>\u002B</c> sequences.</summary>
    public static KitHooksJson Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
