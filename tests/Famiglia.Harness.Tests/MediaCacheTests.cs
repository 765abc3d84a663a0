using System.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace Famiglia.Harness.Tests;

/// <summary>The media cache's answer to the Data API's rate limit. (The cache itself runs against the real API in
/// HarnessOnHostTests; a 429 on demand needs this one in-process stand-in.)</summary>
public sealed class MediaCacheTests : IDisposable
{
    private readonly TempDirectory _dir = TempDirectory.Create("media-cache-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_429_is_waited_out_and_asked_again_and_the_image_is_then_cached()
    {
        var api = new ScriptedApi(
            () => new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new(TimeSpan.FromSeconds(1)) } },
            () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([0x89, 0x50]) { Headers = { ContentType = new("image/png") } } });
        var cache = new MediaCache(new DataApiClient(new HttpClient(api) { BaseAddress = new Uri("http://famiglia-web:3000") }),
            _dir.Combine("media"), TimeProvider.System, NullLogger<MediaCache>.Instance);

        var (entry, status) = await cache.GetAsync("m1", CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("image/png", entry!.ContentType);
        Assert.Equal(2, api.Calls);

        (entry, _) = await cache.GetAsync("m1", CancellationToken.None);
        Assert.Equal([0x89, 0x50], await File.ReadAllBytesAsync(entry!.Path));
        Assert.Equal(2, api.Calls);
        Assert.Equal(HttpStatusCode.NotFound, (await cache.GetAsync("../etc/passwd", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Windows_of_the_limit_are_waited_out_for_up_to_three_minutes_then_the_429_goes_to_the_browser()
    {
        static HttpResponseMessage Limited() => new(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new(TimeSpan.FromSeconds(60)) } };
        var clock = new ImpatientClock();
        var api = new ScriptedApi(Limited, Limited, Limited,
            () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([1]) { Headers = { ContentType = new("image/jpeg") } } });
        var cache = new MediaCache(new DataApiClient(new HttpClient(api) { BaseAddress = new Uri("http://famiglia-web:3000") }),
            _dir.Combine("media"), clock, NullLogger<MediaCache>.Instance);

        // Three full windows (the rest of a 234-photo gallery after the first 100) and the image still comes.
        Assert.Equal(HttpStatusCode.OK, (await cache.GetAsync("late", CancellationToken.None)).Status);
        Assert.Equal(TimeSpan.FromMinutes(3), clock.Waited);

        var never = new ScriptedApi(Limited);
        cache = new MediaCache(new DataApiClient(new HttpClient(never) { BaseAddress = new Uri("http://famiglia-web:3000") }),
            _dir.Combine("media"), clock, NullLogger<MediaCache>.Instance);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await cache.GetAsync("never", CancellationToken.None)).Status);
        Assert.Equal(4, never.Calls);
    }

    /// <summary>Every timer fires at once; what was asked for is added up.</summary>
    private sealed class ImpatientClock : TimeProvider
    {
        public TimeSpan Waited { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                Waited += dueTime;
                dueTime = TimeSpan.Zero;
            }

            return new Timer(callback, state, dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    private sealed class ScriptedApi(params Func<HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answers[Math.Min(Calls++, answers.Length - 1)]());
    }
}
