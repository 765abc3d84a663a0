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

    private sealed class ScriptedApi(params Func<HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answers[Math.Min(Calls++, answers.Length - 1)]());
    }
}
