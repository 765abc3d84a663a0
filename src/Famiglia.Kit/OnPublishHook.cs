using System.Text.Json;

namespace Famiglia.Kit;

/// <summary><c>on_publish</c>: <c>{canvas, version, artifacts}</c> → <c>{}</c>, after telling famiglia-web, which
/// records the release on the app's AgentConfig. An app famiglia-web does not know fails the hook.</summary>
internal static class OnPublishHook
{
    public static async Task NotifyAsync(JsonElement request, Func<FamigliaWebClient> connect, CancellationToken cancellationToken = default)
    {
        var canvas = HookRequest.Object(request, "canvas", "canvas");
        var appId = HookRequest.Text(canvas, "app_id", "canvas.app_id");
        var version = HookRequest.Text(request, "version", "version");
        var artifacts = new List<string>();
        if (request.TryGetProperty("artifacts", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new HookFailedException("the request's artifacts is not a list");
            }

            var index = 0;
            foreach (var artifact in list.EnumerateArray())
            {
                artifacts.Add(artifact.ValueKind == JsonValueKind.Object
                    ? HookRequest.Text(artifact, "path", $"artifacts[{index}].path")
                    : throw new HookFailedException($"the request's artifacts[{index}] is not an object"));
                index++;
            }
        }

        using var famiglia = connect();
        await famiglia.PublishedAsync(appId, version, artifacts, cancellationToken);
    }

    public static void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteEndObject();
    }
}
