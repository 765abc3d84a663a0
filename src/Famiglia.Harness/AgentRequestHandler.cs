using System.Text;
using System.Text.Json.Nodes;

namespace Famiglia.Harness;

/// <summary>The harness's side of the agent's requests (docs/agent-protocol.md, "Agent → harness").</summary>
internal sealed class AgentRequestHandler(HarnessSettings settings, RoomLink room, DataApiClient api, CanvasStore canvas)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async Task<JsonNode?> HandleAsync(string method, JsonObject p, CancellationToken cancellationToken)
    {
        switch (method)
        {
            case "ready":
                return new JsonObject
                {
                    ["nick"] = settings.Nick,
                    ["room"] = settings.RoomJid.ToString(),
                    ["thread"] = settings.Thread,
                    ["groupId"] = settings.GroupId,
                    ["roomId"] = settings.RoomId,
                    ["canvasDirectory"] = canvas.Root,
                    ["workspaceDirectory"] = settings.WorkspaceDirectory,
                };
            case "say":
                {
                    var thread = OptionalString(p, "thread") ?? settings.Thread;
                    return new JsonObject { ["id"] = await room.SendAsync(Text(p), thread, cancellationToken) };
                }

            case "announce":
                return new JsonObject { ["id"] = await room.SendAsync(Text(p), null, cancellationToken) };
            case "api.group":
                return await api.GetJsonAsync("/api/agent/group", cancellationToken);
            case "api.room":
                return await api.GetJsonAsync("/api/agent/room", cancellationToken);
            case "api.rooms":
                return await api.GetJsonAsync("/api/agent/rooms" + Query(p, "limit", "offset"), cancellationToken);
            case "api.feed":
                return await api.GetJsonAsync("/api/agent/feed" + Query(p, "type", "limit", "offset"), cancellationToken);
            case "api.post":
                return await api.GetJsonAsync("/api/agent/feed/" + Segment(p, "postId"), cancellationToken);
            case "api.media":
                {
                    var (contentType, bytes) = await api.GetMediaAsync(RequiredString(p, "mediaId"), cancellationToken);
                    return new JsonObject { ["contentType"] = contentType, ["base64"] = Convert.ToBase64String(bytes) };
                }

            case "api.chatHistory":
                return await api.GetJsonAsync("/api/agent/chat/history" + Query(WithRoom(p), "roomId", "thread", "limit", "offset"), cancellationToken);
            case "api.documents":
                return await api.GetJsonAsync("/api/agent/documents" + Query(WithRoom(p), "roomId", "limit", "offset"), cancellationToken);
            case "api.files":
                RequiredString(p, "q");
                return await api.GetJsonAsync("/api/agent/files" + Query(p, "q", "limit", "offset"), cancellationToken);
            case "api.apps":
                return await api.GetJsonAsync("/api/agent/apps" + Query(p, "limit", "offset"), cancellationToken);
            case "api.appRecords":
                return await api.GetJsonAsync($"/api/agent/apps/{Segment(p, "appId")}/records" + Query(p, "limit", "offset"), cancellationToken);
            case "canvas.write":
                return await WriteAsync(p, cancellationToken);
            case "canvas.read":
                return await ReadAsync(p, cancellationToken);
            case "canvas.delete":
                {
                    var path = RequiredString(p, "path");
                    var deleted = Canvas(() => canvas.Delete(path));
                    if (deleted)
                    {
                        canvas.Changed();
                    }

                    return new JsonObject { ["path"] = path, ["deleted"] = deleted };
                }

            case "canvas.bumpVersion":
                return new JsonObject { ["version"] = canvas.BumpVersion() };
            default:
                throw new RpcException(RpcException.MethodNotFound, $"unknown method '{method}'");
        }
    }

    private async Task<JsonNode> WriteAsync(JsonObject p, CancellationToken cancellationToken)
    {
        var path = RequiredString(p, "path");
        byte[] bytes;
        if (OptionalString(p, "text") is { } text)
        {
            bytes = Encoding.UTF8.GetBytes(text);
        }
        else if (OptionalString(p, "base64") is { } base64)
        {
            try
            {
                bytes = Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                throw RpcException.BadParam("base64", "base64 is not valid base64");
            }
        }
        else
        {
            throw RpcException.BadParam("text", "canvas.write needs text or base64");
        }

        await CanvasAsync(() => canvas.WriteAsync(path, bytes, cancellationToken));
        canvas.Changed();
        return new JsonObject { ["path"] = path, ["size"] = bytes.Length };
    }

    private async Task<JsonNode> ReadAsync(JsonObject p, CancellationToken cancellationToken)
    {
        var path = RequiredString(p, "path");
        var bytes = await CanvasAsync(() => canvas.ReadAsync(path, cancellationToken));
        try
        {
            return new JsonObject { ["path"] = path, ["text"] = StrictUtf8.GetString(bytes) };
        }
        catch (DecoderFallbackException)
        {
            return new JsonObject { ["path"] = path, ["base64"] = Convert.ToBase64String(bytes) };
        }
    }

    private JsonObject WithRoom(JsonObject p)
    {
        if (OptionalString(p, "roomId") is not null)
        {
            return p;
        }

        var copy = (JsonObject)p.DeepClone();
        copy["roomId"] = settings.RoomId;
        return copy;
    }

    private static T Canvas<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (CanvasPathException ex)
        {
            throw new RpcException(RpcException.CanvasRefused, ex.Message, new JsonObject { ["field"] = "path" });
        }
    }

    private static async Task<T> CanvasAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (CanvasPathException ex)
        {
            throw new RpcException(RpcException.CanvasRefused, ex.Message, new JsonObject { ["field"] = "path" });
        }
    }

    private static string Text(JsonObject p)
    {
        var text = RequiredString(p, "text");
        return text.Length == 0 ? throw RpcException.BadParam("text", "text is empty") : text;
    }

    private static string RequiredString(JsonObject p, string name) =>
        OptionalString(p, name) ?? throw RpcException.BadParam(name, $"{name} is required");

    private static string? OptionalString(JsonObject p, string name) => p[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw RpcException.BadParam(name, $"{name} must be a string"),
    };

    private static string Segment(JsonObject p, string name)
    {
        var value = RequiredString(p, name);
        return value.Length == 0 ? throw RpcException.BadParam(name, $"{name} is empty") : Uri.EscapeDataString(value);
    }

    /// <summary>The query string from the named parameters (strings or integers); the Data API validates values.</summary>
    private static string Query(JsonObject p, params string[] names)
    {
        var query = new StringBuilder();
        foreach (var name in names)
        {
            string? value = p[name] switch
            {
                null => null,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                JsonValue v when v.TryGetValue<long>(out var n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) => ((long)d).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw RpcException.BadParam(name, $"{name} must be a string or an integer"),
            };
            if (value is not null)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        return query.ToString();
    }
}
