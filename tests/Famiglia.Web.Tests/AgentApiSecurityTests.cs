using System.Net;
using Famiglia.Web.Commands;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Tests;

public sealed class AgentApiSecurityTestsOnSqlite(SqliteSpace space) : AgentApiSecurityTests(space), IClassFixture<SqliteSpace>;

public sealed class AgentApiSecurityTestsOnPostgres(PostgresSpace space) : AgentApiSecurityTests(space), IClassFixture<PostgresSpace>;

/// <summary>Run on each database provider by the two classes above.</summary>
public abstract class AgentApiSecurityTests(SeededSpace space)
{
    public static readonly TheoryData<string> Paths =
    [
        "/api/agent/group", "/api/agent/room", "/api/agent/rooms", "/api/agent/feed", "/api/agent/feed/x",
        "/api/agent/media/x", "/api/agent/chat/history", "/api/agent/documents", "/api/agent/files",
        "/api/agent/apps", "/api/agent/apps/x/records",
    ];

    [Fact]
    public async Task Missing_key_is_401_with_a_bearer_challenge()
    {
        using var client = space.Web.CreateAgentClient(null);
        using var response = await client.GetAsync("/api/agent/group");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("Bearer fam_not-a-key")]
    [InlineData("Bearer ")]
    [InlineData("Basic YWxpY2U6c2VjcmV0")]
    public async Task Unknown_or_malformed_key_is_401_with_a_bearer_challenge(string authorization)
    {
        using var client = space.Web.CreateAgentClient(null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/agent/feed");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Revoked_key_is_401_from_the_next_request_and_a_reissued_key_works()
    {
        var key = await space.Web.IssueKeyAsync("feldmans", "revoke-me");
        using var client = space.Web.CreateAgentClient(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/agent/room")).StatusCode);

        using var output = new StringWriter();
        var exit = await FamigliaCommands.RunAsync(space.Web.Services, ["revoke-api-key", "--agent", "revoke-me"], output, TextWriter.Null);
        Assert.Equal(0, exit);
        Assert.Contains("Revoked 1", output.ToString());

        using var revoked = await client.GetAsync("/api/agent/room");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("invalid_token", revoked.Headers.WwwAuthenticate.Single().Parameter);

        using var issueOutput = new StringWriter();
        Assert.Equal(0, await FamigliaCommands.RunAsync(space.Web.Services, ["issue-api-key", "--group", "feldmans", "--agent", "revoke-me"], issueOutput, TextWriter.Null));
        var newKey = issueOutput.ToString().Trim();
        Assert.StartsWith("fam_", newKey);
        using var reissued = space.Web.CreateAgentClient(newKey);
        Assert.Equal(HttpStatusCode.OK, (await reissued.GetAsync("/api/agent/room")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/agent/room")).StatusCode);
    }

    [Fact]
    public async Task Keys_are_stored_only_as_hashes()
    {
        var hashes = await space.Web.QueryAsync(db => db.ApiKeys.Select(k => k.Hash).ToListAsync());
        var agentKeys = await space.Web.QueryAsync(db => db.AgentConfigs.Select(a => a.ApiKey).ToListAsync());
        Assert.DoesNotContain(space.FeldmansKey, hashes.Concat(agentKeys));
        Assert.Contains(Famiglia.Web.AgentApi.ApiKeyHasher.Hash(space.FeldmansKey), hashes);
        Assert.Contains(Famiglia.Web.AgentApi.ApiKeyHasher.Hash(space.FeldmansKey), agentKeys);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Every_mutation_verb_is_405_with_Allow_GET(string path)
    {
        foreach (var verb in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete })
        {
            using var request = new HttpRequestMessage(verb, path) { Content = new StringContent("{}") };
            using var response = await space.Feldmans.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.MethodNotAllowed, $"{verb} {path}: {(int)response.StatusCode}");
            Assert.Equal(["GET"], response.Content.Headers.Allow);
        }
    }

    [Fact]
    public async Task Ids_from_another_group_are_404_on_every_endpoint_that_takes_one()
    {
        var feldmans = space.Feldmans;
        var post = (await feldmans.GetJsonAsync("/api/agent/feed?type=image&limit=1")).Data().Single();
        var room = await feldmans.GetJsonAsync("/api/agent/room");
        var app = (await feldmans.GetJsonAsync("/api/agent/apps")).Data().Single();

        var rossis = space.Rossis;
        await rossis.GetJsonAsync($"/api/agent/feed/{post.Str("id")}", HttpStatusCode.NotFound);
        await rossis.GetJsonAsync($"/api/agent/media/{post.GetProperty("media")[0].Str("id")}", HttpStatusCode.NotFound);
        await rossis.GetJsonAsync($"/api/agent/chat/history?roomId={room.Str("id")}", HttpStatusCode.NotFound);
        await rossis.GetJsonAsync($"/api/agent/documents?roomId={room.Str("id")}", HttpStatusCode.NotFound);
        await rossis.GetJsonAsync($"/api/agent/apps/{app.Str("id")}/records", HttpStatusCode.NotFound);

        // The same 404 as for an id that never existed: nothing tells the two apart.
        var foreign = await rossis.GetJsonAsync($"/api/agent/feed/{post.Str("id")}", HttpStatusCode.NotFound);
        var missing = await rossis.GetJsonAsync("/api/agent/feed/missing", HttpStatusCode.NotFound);
        Assert.Equal(missing.Str("title"), foreign.Str("title"));
    }

    [Fact]
    public async Task Lists_show_only_the_callers_group()
    {
        var feldmans = space.Feldmans;
        var rossis = space.Rossis;
        Assert.Equal("rossis", (await rossis.GetJsonAsync("/api/agent/group")).Str("slug"));
        Assert.Equal(15, (await rossis.GetJsonAsync("/api/agent/feed")).Total());
        Assert.Equal(12, (await rossis.GetJsonAsync("/api/agent/feed?type=image")).Total());

        static async Task<HashSet<string>> Ids(HttpClient client, string path) =>
            (await client.GetJsonAsync(path)).Data().Select(e => e.Str("id")).ToHashSet();

        foreach (var path in new[] { "/api/agent/rooms", "/api/agent/feed?limit=200", "/api/agent/files", "/api/agent/files?q=lasagne", "/api/agent/apps", "/api/agent/documents", "/api/agent/chat/history" })
        {
            var mine = await Ids(rossis, path);
            var theirs = await Ids(feldmans, path);
            Assert.NotEmpty(mine);
            Assert.Empty(mine.Intersect(theirs));
        }

        var rossiApp = (await rossis.GetJsonAsync("/api/agent/apps")).Data().Single();
        Assert.Equal(5, (await rossis.GetJsonAsync($"/api/agent/apps/{rossiApp.Str("id")}/records")).Total());
    }

    [Fact]
    public async Task Every_request_is_audited_with_agent_endpoint_status_and_time()
    {
        var key = await space.Web.IssueKeyAsync("feldmans", "audited-agent");
        using var client = space.Web.CreateAgentClient(key);
        await client.GetAsync("/api/agent/feed?limit=3");
        await client.DeleteAsync("/api/agent/feed");
        await client.GetAsync("/api/agent/feed/missing");
        using var anonymous = space.Web.CreateAgentClient(null);
        await anonymous.GetAsync("/api/agent/rooms?audit-probe=1");

        var agentId = await space.Web.QueryAsync(db => db.AgentConfigs.Where(a => a.Name == "audited-agent").Select(a => a.Id).SingleAsync());
        var rows = await WaitForAuditAsync(db => db.AuditLogs.Where(a => a.AgentConfigId == agentId).OrderBy(a => a.Id).ToListAsync(), 3);
        Assert.Equal(
            [("GET", "/api/agent/feed?limit=3", 200), ("DELETE", "/api/agent/feed", 405), ("GET", "/api/agent/feed/missing", 404)],
            rows.Select(r => (r.Method, r.Endpoint, r.Status)).ToList());
        Assert.All(rows, r => Assert.Equal(space.Web.Clock.GetUtcNow().UtcDateTime, r.At, TimeSpan.FromMinutes(5)));

        var anonymousRows = await WaitForAuditAsync(db => db.AuditLogs.Where(a => a.Endpoint == "/api/agent/rooms?audit-probe=1").ToListAsync(), 1);
        Assert.Null(anonymousRows.Single().AgentConfigId);
        Assert.Equal(401, anonymousRows.Single().Status);
    }

    /// <summary>Audit rows are written in the background; wait (bounded) until they are there.</summary>
    private async Task<List<Famiglia.Web.Spaces.AuditLog>> WaitForAuditAsync(Func<Famiglia.Web.Spaces.FamigliaDbContext, Task<List<Famiglia.Web.Spaces.AuditLog>>> query, int count)
    {
        for (var attempt = 0; ; attempt++)
        {
            var rows = await space.Web.QueryAsync(query);
            if (rows.Count >= count || attempt == 200)
            {
                return rows;
            }

            await Task.Delay(50);
        }
    }
}
