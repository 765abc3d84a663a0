using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.AgentApi;

/// <summary>
/// Feed pages as the JSON they were sent as, per group, type filter, limit and offset, each stamped with the group's feed
/// version (<c>FeedVersions</c>, bumped by triggers on every change to posts, their authors' names and their media).
/// The caller reads the version first, then asks here; a page stamped with another version is rendered again. Reading
/// the version before the page means a stored page is never older than its stamp, so no stale page is served, also
/// when several famiglia-web processes share one PostgreSQL. Bounded by <see cref="AgentApiOptions.FeedCacheBytes"/>.
/// </summary>
internal sealed class FeedPageCache(IOptions<AgentApiOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IDisposable
{
    private readonly MemoryCache? _pages = options.Value.FeedCacheBytes > 0
        ? new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.FeedCacheBytes, CompactionPercentage = 0.25 })
        : null;

    public async Task<byte[]> GetOrRenderAsync(Key key, long version, Func<Task<Page<PostDto>>> render)
    {
        if (_pages?.TryGetValue(key, out Entry? entry) == true && entry!.Version == version)
        {
            return entry.Json;
        }

        var page = JsonSerializer.SerializeToUtf8Bytes(await render(), json.Value.SerializerOptions);
        _pages?.Set(key, new Entry(version, page), new MemoryCacheEntryOptions { Size = page.Length + 64 });
        return page;
    }

    public void Dispose() => _pages?.Dispose();

    internal readonly record struct Key(string GroupId, string? Type, int Limit, int Offset);

    private sealed record Entry(long Version, byte[] Json);
}

/// <summary>JSON already rendered to UTF-8, written as <c>application/json</c>.</summary>
internal sealed class Utf8JsonResult(byte[] json) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        httpContext.Response.ContentLength = json.Length;
        return httpContext.Response.Body.WriteAsync(json).AsTask();
    }
}
