using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Agents;

/// <summary>aegisd's management API (spec AEGIS.md "HTTP API"), as famiglia-web uses it.</summary>
internal sealed class AegisClient(HttpClient http, IOptions<AegisOptions> options)
{
    /// <summary>The HTTP client: aegisd's URL and its bearer token, read from the token file on every request so a
    /// restarted aegisd with a new token is picked up.</summary>
    public static void Configure(IServiceProvider services, HttpClient client)
    {
        var aegis = services.GetRequiredService<IOptions<AegisOptions>>().Value;
        client.BaseAddress = aegis.Url;
        client.Timeout = aegis.RequestTimeout;
    }

    /// <summary>Registers the app (runs the kit's validate_config) and returns its id.</summary>
    public async Task<string> CreateAppAsync(string name, object config, IReadOnlyDictionary<string, string> secrets, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "/v1/apps", new { kit = options.Value.Kit, name, config, secrets }, cancellationToken);
        using var json = await ReadJsonAsync(response, cancellationToken);
        return json.RootElement.GetProperty("appId").GetString()!;
    }

    /// <summary>Replaces or adds secrets (a running instance sees them after its next boot).</summary>
    public async Task SetSecretsAsync(string appId, IReadOnlyDictionary<string, string> secrets, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Put, $"/v1/apps/{Uri.EscapeDataString(appId)}/secrets", new { secrets }, cancellationToken);
        await ThrowIfFailedAsync(response, cancellationToken);
    }

    /// <summary>The names of the app's secrets (aegisd never gives their values).</summary>
    public async Task<IReadOnlyList<string>> SecretNamesAsync(string appId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/apps/{Uri.EscapeDataString(appId)}", null, cancellationToken);
        using var json = await ReadJsonAsync(response, cancellationToken);
        return [.. json.RootElement.GetProperty("secretNames").EnumerateArray().Select(n => n.GetString()!)];
    }

    /// <summary>Removes one secret of the app; false when it had none of that name.</summary>
    public async Task<bool> DeleteSecretAsync(string appId, string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"/v1/apps/{Uri.EscapeDataString(appId)}/secrets/{Uri.EscapeDataString(name)}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await ThrowIfFailedAsync(response, cancellationToken);
        return true;
    }

    /// <summary>Removes the app; true when it existed.</summary>
    public async Task<bool> DeleteAppAsync(string appId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"/v1/apps/{Uri.EscapeDataString(appId)}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await ThrowIfFailedAsync(response, cancellationToken);
        return true;
    }

    /// <summary>Whether aegisd's router wakes the app when its canvas is requested (<c>aegis app serve</c>); false when
    /// aegisd does not know the app.</summary>
    public async Task<bool> SetServedAsync(string appId, bool served, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(served ? HttpMethod.Post : HttpMethod.Delete, $"/v1/apps/{Uri.EscapeDataString(appId)}/serve", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await ThrowIfFailedAsync(response, cancellationToken);
        return true;
    }

    /// <summary>Boots, resumes or restores the app's instance; returns its id and state. With <paramref name="releaseId"/>,
    /// a live instance on another release is replaced by one on that release.</summary>
    public async Task<(string InstanceId, string State)> EnsureAsync(string appId, string? releaseId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "/v1/instances/ensure", new { appId, releaseId }, cancellationToken);
        using var json = await ReadJsonAsync(response, cancellationToken);
        return (json.RootElement.GetProperty("instanceId").GetString()!, json.RootElement.GetProperty("state").GetString()!);
    }

    /// <summary>The id of the app's release with this version; null when there is none (pruned, or never published).</summary>
    public async Task<string?> ReleaseIdAsync(string appId, int version, CancellationToken cancellationToken) =>
        (await ReleasesAsync(appId, cancellationToken)).Where(r => r.Version == version).Select(r => (string?)r.ReleaseId).FirstOrDefault();

    /// <summary>The app's releases, newest first: (release id, version).</summary>
    public async Task<IReadOnlyList<(string ReleaseId, int Version)>> ReleasesAsync(string appId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/apps/{Uri.EscapeDataString(appId)}/releases", null, cancellationToken);
        using var json = await ReadJsonAsync(response, cancellationToken);
        return [.. json.RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("releaseId").GetString()!, r.GetProperty("version").GetInt32()))
            .OrderByDescending(r => r.Item2)];
    }

    /// <summary>A live instance: the release it was booted on (null for none, the kit's template) and what its sandbox uses
    /// now (null when aegisd reports nothing: ended, or no usage). Null when aegisd no longer knows the instance.</summary>
    public async Task<AegisInstance?> InstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/instances/{Uri.EscapeDataString(instanceId)}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        using var json = await ReadJsonAsync(response, cancellationToken);
        var root = json.RootElement;
        var release = root.TryGetProperty("releaseId", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        InstanceUsage? usage = null;
        if (root.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Object
            && resources.TryGetProperty("memoryBytes", out var memory) && memory.TryGetInt64(out var memoryBytes))
        {
            usage = new InstanceUsage(
                memoryBytes,
                resources.TryGetProperty("memoryLimitBytes", out var limit) && limit.TryGetInt64(out var limitBytes) ? limitBytes : null,
                resources.TryGetProperty("cpuSeconds", out var cpu) && cpu.TryGetDouble(out var cpuSeconds) ? cpuSeconds : null);
        }

        return new AegisInstance(release, usage);
    }

    /// <summary>Terminates an instance; false when aegisd does not know it (already gone).</summary>
    public async Task<bool> TerminateAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/v1/instances/{Uri.EscapeDataString(instanceId)}/terminate", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await ThrowIfFailedAsync(response, cancellationToken);
        return true;
    }

    /// <summary>The ids of the app's instances that are not terminated.</summary>
    public async Task<IReadOnlyList<(string InstanceId, string State)>> LiveInstancesAsync(string appId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/instances?appId={Uri.EscapeDataString(appId)}", null, cancellationToken);
        using var json = await ReadJsonAsync(response, cancellationToken);
        return [.. json.RootElement.EnumerateArray()
            .Where(i => i.GetProperty("state").GetString() is not ("terminated" or "error"))
            .Select(i => (i.GetProperty("instanceId").GetString()!, i.GetProperty("state").GetString()!))];
    }

    /// <summary>The app's live instance (<paramref name="current"/>, or the newest not ended) and its newest ended one,
    /// in that order, each with its state and what ended it; fewer when it has none of either.</summary>
    public async Task<IReadOnlyList<(string InstanceId, string State, string? Reason)>> RecentInstancesAsync(string appId, string? current, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/instances?appId={Uri.EscapeDataString(appId)}&all=true", null, cancellationToken);
        using var json = await ReadJsonAsync(response, cancellationToken);
        var instances = json.RootElement.EnumerateArray()
            .Select(i => (Id: i.GetProperty("instanceId").GetString()!, State: i.GetProperty("state").GetString()!,
                Reason: i.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null,
                CreatedAt: i.GetProperty("createdAt").GetDateTimeOffset()))
            .OrderByDescending(i => i.CreatedAt)
            .ToList();
        static bool Ended(string state) => state is "terminated" or "error";
        var live = instances.Where(i => i.Id == current && !Ended(i.State)).Concat(instances.Where(i => !Ended(i.State))).Take(1);
        var ended = instances.Where(i => Ended(i.State)).Take(1);
        return [.. live.Concat(ended).Select(i => (i.Id, i.State, i.Reason))];
    }

    /// <summary>The last part of an instance's log (stdout and stderr of the sandbox).</summary>
    public async Task<string> LogsAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/instances/{Uri.EscapeDataString(instanceId)}/logs", null, cancellationToken);
        await ThrowIfFailedAsync(response, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length > 64 * 1024 ? text[^(64 * 1024)..] : text;
    }

    /// <summary>aegisd's events from <paramref name="after"/> on, until cancelled or the stream drops.</summary>
    public async IAsyncEnumerable<AegisEvent> EventsAsync(long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/events?after={after}");
        Authorize(request);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ThrowIfFailedAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            using var json = JsonDocument.Parse(item.Data);
            var root = json.RootElement;
            yield return new AegisEvent(
                root.GetProperty("id").GetInt64(),
                root.GetProperty("type").GetString()!,
                root.TryGetProperty("appId", out var app) ? app.GetString() : null,
                root.TryGetProperty("instanceId", out var instance) ? instance.GetString() : null,
                root.TryGetProperty("message", out var message) ? message.GetString() : null);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        Authorize(request);
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new AegisException($"aegisd at {options.Value.Url} is unreachable: {ex.Message}", null);
        }
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (options.Value.TokenFile is { } file && File.Exists(file))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(file).Trim());
        }
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await ThrowIfFailedAsync(response, cancellationToken);
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? detail = null;
        try
        {
            using var problem = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
            detail ??= problem.RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
        }
        catch (JsonException)
        {
        }

        throw new AegisException($"aegisd answered {(int)response.StatusCode}{(detail is null ? "" : ": " + detail)}", (int)response.StatusCode);
    }
}

/// <summary>One of aegisd's events (<c>instance.running</c>, <c>instance.paused</c>, …).</summary>
internal sealed record AegisEvent(long Id, string Type, string? AppId, string? InstanceId, string? Message);

/// <summary>aegisd refused a call or could not be reached; the message says which, without secrets.</summary>
internal sealed class AegisException(string message, int? status) : Exception(message)
{
    public int? Status { get; } = status;
}

/// <summary>What famiglia-web reads of an aegisd instance.</summary>
internal sealed record AegisInstance(string? ReleaseId, InstanceUsage? Usage);

/// <summary>What an instance's sandbox uses now: memory (and its limit, when it has one) and the CPU time it has used.</summary>
internal sealed record InstanceUsage(long MemoryBytes, long? MemoryLimitBytes, double? CpuSeconds)
{
    public override string ToString()
    {
        static string MiB(long bytes) => (bytes / 1048576.0).ToString(bytes < 10 * 1048576 ? "0.0" : "0", System.Globalization.CultureInfo.InvariantCulture) + " MiB";
        var memory = MemoryLimitBytes is { } limit ? $"{MiB(MemoryBytes)} of {MiB(limit)} memory" : $"{MiB(MemoryBytes)} of memory";
        var cpu = CpuSeconds is { } seconds ? $" and has used {seconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} s of CPU" : "";
        return $"Uses {memory}{cpu}.";
    }
}
