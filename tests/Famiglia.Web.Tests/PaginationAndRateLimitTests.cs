using System.Globalization;
using System.Net;

namespace Famiglia.Web.Tests;

public sealed class PaginationAndRateLimitTestsOnSqlite(SqliteSpace space) : PaginationAndRateLimitTests(space), IClassFixture<SqliteSpace>;

public sealed class PaginationAndRateLimitTestsOnPostgres(PostgresSpace space) : PaginationAndRateLimitTests(space), IClassFixture<PostgresSpace>;

/// <summary>Run on each database provider by the two classes above.</summary>
public abstract class PaginationAndRateLimitTests(SeededSpace space)
{
    private HttpClient Api => space.Feldmans;

    [Theory]
    [InlineData("limit=0", 0, true)]
    [InlineData("limit=200", 200, true)]
    [InlineData("limit=201", 200, true)]
    [InlineData("limit=99999999999", 200, true)]
    [InlineData("", 50, true)]
    [InlineData("limit=50&offset=230", 7, false)]
    [InlineData("offset=237", 0, false)]
    [InlineData("offset=100000", 0, false)]
    public async Task Limits_clamp_and_offsets_run_past_the_end_quietly(string query, int count, bool hasMore)
    {
        var page = await Api.GetJsonAsync($"/api/agent/feed?{query}");
        Assert.Equal(237, page.Total());
        Assert.Equal(count, page.Count());
        Assert.Equal(hasMore, page.GetProperty("hasMore").GetBoolean());
    }

    [Theory]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=1.5", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("offset=abc", "offset")]
    public async Task Bad_paging_values_are_400_naming_the_parameter(string query, string parameter)
    {
        foreach (var path in new[] { "/api/agent/feed", "/api/agent/rooms", "/api/agent/files?q=lasagne", "/api/agent/apps", "/api/agent/documents", "/api/agent/chat/history" })
        {
            var problem = await Api.GetJsonAsync($"{path}{(path.Contains('?') ? '&' : '?')}{query}", HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), $"{path}: {problem}");
        }
    }

    [Fact]
    public async Task Pages_tile_the_feed_without_gaps_or_repeats()
    {
        var ids = new List<string>();
        for (var offset = 0; ; offset += 100)
        {
            var page = await Api.GetJsonAsync($"/api/agent/feed?limit=100&offset={offset}");
            ids.AddRange(page.Data().Select(p => p.Str("id")));
            if (!page.GetProperty("hasMore").GetBoolean())
            {
                break;
            }
        }

        Assert.Equal(237, ids.Count);
        Assert.Equal(237, ids.Distinct().Count());
    }

    [Fact]
    public async Task Exactly_100_requests_pass_then_429_with_Retry_After_until_the_window_resets()
    {
        var key = await space.Web.IssueKeyAsync("feldmans", "limited-agent");
        using var client = space.Web.CreateAgentClient(key);
        for (var i = 1; i <= 100; i++)
        {
            using var ok = await client.GetAsync("/api/agent/room");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("100", Header(ok, "X-RateLimit-Limit"));
            Assert.Equal((100 - i).ToString(CultureInfo.InvariantCulture), Header(ok, "X-RateLimit-Remaining"));
            Assert.Equal("\"agent\";q=100;w=60", Header(ok, "RateLimit-Policy"));
            Assert.Equal($"\"agent\";r={100 - i};t=60", Header(ok, "RateLimit"));
        }

        using var limited = await client.GetAsync("/api/agent/room");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter!.Delta);
        Assert.Equal("0", Header(limited, "X-RateLimit-Remaining"));
        var reset = long.Parse(Header(limited, "X-RateLimit-Reset"), CultureInfo.InvariantCulture);
        Assert.Equal(space.Web.Clock.GetUtcNow().AddSeconds(60).ToUnixTimeSeconds(), reset);

        // The harness's runtime calls have a window of their own: a canvas bump still reaches famiglia-web.
        using (var bump = await client.PostAsync("/api/agent-runtime/canvas-version", new StringContent("""{"version":2}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NoContent, bump.StatusCode);
            Assert.Equal("\"agent-runtime\";q=100;w=60", Header(bump, "RateLimit-Policy"));
            Assert.Equal("99", Header(bump, "X-RateLimit-Remaining"));
        }

        // Other agents are not affected by this one's window.
        using var other = space.Web.CreateAgentClient(await space.Web.IssueKeyAsync("feldmans", "other-limited-agent"));
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/agent/room")).StatusCode);

        space.Web.Clock.Advance(TimeSpan.FromSeconds(30));
        using var stillLimited = await client.GetAsync("/api/agent/room");
        Assert.Equal(HttpStatusCode.TooManyRequests, stillLimited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), stillLimited.Headers.RetryAfter!.Delta);

        space.Web.Clock.Advance(TimeSpan.FromSeconds(30));
        using var afterReset = await client.GetAsync("/api/agent/room");
        Assert.Equal(HttpStatusCode.OK, afterReset.StatusCode);
        Assert.Equal("99", Header(afterReset, "X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Exempt_agents_by_configuration_carry_no_limit()
    {
        using var response = await Api.GetAsync("/api/agent/room");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-RateLimit-Limit"));
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();
}
