using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Famiglia.Harness;

/// <summary>
/// The Agent Data API with the agent's key. The key stays in here: results handed to the agent have every media
/// <c>url</c> rewritten to the canvas-relative <c>_media/{id}</c> that the canvas server proxies.
/// </summary>
internal sealed class DataApiClient(HttpClient http)
{
    public const string MediaPrefix = "/api/agent/media/";

    /// <summary>The HTTP client for the Data API: base address, bearer key, a timeout, no cookies or redirects.</summary>
    public static HttpClient CreateHttpClient(HarnessSettings settings)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
        };
        var client = new HttpClient(handler) { BaseAddress = settings.ApiUrl, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("famiglia-harness", "1.0"));
        return client;
    }

    /// <summary>GETs a Data API path and returns its JSON with media URLs rewritten.</summary>
    /// <exception cref="RpcException">The API answered with an error status.</exception>
    public async Task<JsonNode?> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(pathAndQuery, cancellationToken);
        await ThrowIfErrorAsync(response, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var json = await JsonNode.ParseAsync(body, cancellationToken: cancellationToken);
        RewriteMediaUrls(json);
        return json;
    }

    /// <summary>The bytes and content type of a media item.</summary>
    public async Task<(string ContentType, byte[] Bytes)> GetMediaAsync(string mediaId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(MediaPrefix + Uri.EscapeDataString(mediaId), cancellationToken);
        await ThrowIfErrorAsync(response, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return (response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream", bytes);
    }

    /// <summary>POSTs JSON to a runtime endpoint (heartbeats).</summary>
    public async Task<HttpStatusCode> PostJsonAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Rewrites every <c>url</c> property that points at the Data API's media to <c>_media/{id}</c>.</summary>
    internal static void RewriteMediaUrls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToArray())
                {
                    if (name == "url" && value is JsonValue v && v.TryGetValue<string>(out var url) && url.StartsWith(MediaPrefix, StringComparison.Ordinal))
                    {
                        obj[name] = "_media/" + url[MediaPrefix.Length..];
                    }
                    else
                    {
                        RewriteMediaUrls(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RewriteMediaUrls(item);
                }

                break;
        }
    }

    private static async Task ThrowIfErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var data = new JsonObject { ["status"] = (int)response.StatusCode };
        if (response.Headers.RetryAfter?.Delta is { } retryAfter)
        {
            data["retryAfter"] = (int)Math.Ceiling(retryAfter.TotalSeconds);
        }
        string? title = null;
        try
        {
            if (await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken) is JsonObject problem)
            {
                title = problem["title"]?.GetValue<string>();
                data["title"] = title;
                if (problem["detail"] is JsonValue detail)
                {
                    data["detail"] = detail.GetValue<string>();
                }

                if (problem["errors"] is JsonObject errors)
                {
                    data["errors"] = errors.DeepClone();
                }
            }
        }
        catch (JsonException)
        {
        }

        throw new RpcException(RpcException.ApiError, $"the Agent Data API answered {(int)response.StatusCode} {title ?? response.ReasonPhrase}", data);
    }
}
