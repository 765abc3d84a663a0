using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;

namespace Famiglia.Harness;

/// <summary>
/// The canvas's media proxy behind a disk cache. Media never change under an id, so each is fetched from the Data API
/// once per sandbox and served from the cache afterwards: a gallery of hundreds of photos does not spend the agent's
/// 100 requests a minute again on every view. When the API answers 429 the proxy waits (Retry-After, at most a minute
/// each time, three minutes in all) and asks again, so the browser sees a slow image instead of a broken one: a first
/// view of a gallery larger than the limit fills as the limit's windows pass.
/// </summary>
internal sealed partial class MediaCache(DataApiClient api, string directory, TimeProvider time, ILogger<MediaCache> logger)
{
    /// <summary>How long one media request waits out the rate limit in all before it is answered 429.</summary>
    internal static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(3);
    private readonly ConcurrentDictionary<string, Lazy<Task<Entry?>>> _fetches = new(StringComparer.Ordinal);

    /// <summary>A cached media file: its path and content type.</summary>
    internal sealed record Entry(string Path, string ContentType);

    /// <summary>The media file, fetched once; null when the API does not have it (or refuses, with the status).</summary>
    public async Task<(Entry? Entry, HttpStatusCode Status)> GetAsync(string mediaId, CancellationToken cancellationToken)
    {
        if (!SafeId().IsMatch(mediaId))
        {
            return (null, HttpStatusCode.NotFound);
        }

        var path = Path.Combine(directory, mediaId);
        if (File.Exists(path) && File.Exists(path + ".type"))
        {
            return (new Entry(path, await File.ReadAllTextAsync(path + ".type", cancellationToken)), HttpStatusCode.OK);
        }

        // One fetch per id however many browser requests ask at once.
        var fetch = _fetches.GetOrAdd(mediaId, id => new Lazy<Task<Entry?>>(() => FetchAsync(id, path)));
        try
        {
            var entry = await fetch.Value.WaitAsync(cancellationToken);
            return (entry, entry is null ? HttpStatusCode.NotFound : HttpStatusCode.OK);
        }
        catch (RpcException ex) when (ex.Details?["status"] is { } status)
        {
            return (null, (HttpStatusCode)status.GetValue<int>());
        }
        finally
        {
            if (fetch.Value.IsCompleted)
            {
                _fetches.TryRemove(new KeyValuePair<string, Lazy<Task<Entry?>>>(mediaId, fetch));
            }
        }
    }

    private async Task<Entry?> FetchAsync(string mediaId, string path)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                var (contentType, bytes) = await api.GetMediaAsync(mediaId, CancellationToken.None);
                Directory.CreateDirectory(directory);
                var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
                await File.WriteAllBytesAsync(temporary, bytes);
                await File.WriteAllTextAsync(path + ".type", contentType);
                File.Move(temporary, path, overwrite: true);
                return new Entry(path, contentType);
            }
            catch (RpcException ex) when (ex.Details?["status"]?.GetValue<int>() == 429 && waited < MaxWait)
            {
                var wait = TimeSpan.FromSeconds(Math.Clamp(ex.Details?["retryAfter"]?.GetValue<int>() ?? 5, 1, 60));
                RateLimited(logger, mediaId, wait.TotalSeconds);
                await Task.Delay(wait, time);
                waited += wait;
            }
            catch (RpcException ex) when (ex.Details?["status"]?.GetValue<int>() == 404)
            {
                return null;
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,100}$")]
    private static partial Regex SafeId();

    [LoggerMessage(Level = LogLevel.Information, Message = "the Data API's rate limit held up media {MediaId}; asking again in {Seconds} s")]
    private static partial void RateLimited(ILogger logger, string mediaId, double seconds);
}
