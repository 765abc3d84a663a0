using System.Net;
using System.Net.Http.Headers;

namespace Famiglia.Web.Tests;

public sealed class AgentApiShapeTestsOnSqlite(SqliteSpace space) : AgentApiShapeTests(space), IClassFixture<SqliteSpace>;

public sealed class AgentApiShapeTestsOnPostgres(PostgresSpace space) : AgentApiShapeTests(space), IClassFixture<PostgresSpace>;

/// <summary>Run on each database provider by the two classes above.</summary>
public abstract class AgentApiShapeTests(SeededSpace space)
{
    private HttpClient Api => space.Feldmans;

    [Fact]
    public async Task Runs_on_the_database_provider_of_its_fixture() =>
        Assert.Equal(space.Provider, await space.Web.QueryAsync(context => Task.FromResult(context.Database.ProviderName)));

    [Fact]
    public async Task Group_has_metadata_and_members_with_handles()
    {
        var group = await Api.GetJsonAsync("/api/agent/group");
        Assert.Equal("feldmans", group.Str("slug"));
        var handles = group.GetProperty("members").EnumerateArray().Select(m => m.Str("handle")).ToList();
        Assert.Equal(["@u:alice@dev1.localhost", "@u:bob@dev1.localhost", "@u:carol@dev1.localhost"], handles);
        Assert.Equal("OWNER", group.GetProperty("members")[0].Str("role"));
    }

    [Fact]
    public async Task Room_is_the_agents_own_room()
    {
        var room = await Api.GetJsonAsync("/api/agent/room");
        Assert.Equal("photos", room.Str("slug"));
        Assert.Equal("PUBLIC", room.Str("visibility"));
        Assert.Equal("photos.feldmans@conference.dev1.localhost", room.Str("mucJid"));
        Assert.Equal(3, room.GetProperty("participants").GetArrayLength());
    }

    [Fact]
    public async Task Rooms_lists_the_groups_rooms()
    {
        var rooms = await Api.GetJsonAsync("/api/agent/rooms");
        Assert.Equal(3, rooms.Total());
        Assert.False(rooms.GetProperty("hasMore").GetBoolean());
        var family = rooms.Data().Single(r => r.Str("slug") == "family");
        Assert.Equal("PARTICIPANTS_ONLY", family.Str("visibility"));
        Assert.Equal(2, family.GetProperty("participants").GetArrayLength());
    }

    [Fact]
    public async Task Feed_is_paged_newest_first_and_filters_by_type()
    {
        var all = await Api.GetJsonAsync("/api/agent/feed");
        Assert.Equal(237, all.Total());
        Assert.Equal(50, all.Count());
        Assert.True(all.GetProperty("hasMore").GetBoolean());
        var times = all.Data().Select(p => p.GetProperty("createdAt").GetDateTime()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);

        var images = await Api.GetJsonAsync("/api/agent/feed?type=image&limit=200");
        Assert.Equal(234, images.Total());
        Assert.All(images.Data(), p => Assert.Equal("image", p.Str("type")));
        Assert.All(images.Data(), p => Assert.Equal("image/png", p.GetProperty("media")[0].Str("mime")));

        var links = await Api.GetJsonAsync("/api/agent/feed?type=LINK");
        Assert.Equal("https://example.org/campsite", Assert.Single(links.Data()).GetProperty("content").Str("linkUrl"));

        var bad = await Api.GetJsonAsync("/api/agent/feed?type=poem", HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("type", out _));
    }

    [Fact]
    public async Task Feed_post_by_id_and_unknown_id_is_404()
    {
        var first = (await Api.GetJsonAsync("/api/agent/feed?limit=1")).Data().Single();
        var post = await Api.GetJsonAsync($"/api/agent/feed/{first.Str("id")}");
        Assert.Equal(first.Str("id"), post.Str("id"));
        Assert.StartsWith("@u:", post.GetProperty("author").Str("handle"));
        await Api.GetJsonAsync("/api/agent/feed/nope", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Media_streams_png_bytes_with_etag_and_honours_ranges()
    {
        var post = (await Api.GetJsonAsync("/api/agent/feed?type=image&limit=1")).Data().Single();
        var url = post.GetProperty("media")[0].Str("url");
        var size = post.GetProperty("media")[0].GetProperty("size").GetInt64();

        using var whole = await Api.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("image/png", whole.Content.Headers.ContentType!.MediaType);
        var bytes = await whole.Content.ReadAsByteArrayAsync();
        Assert.Equal(size, bytes.Length);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        var etag = whole.Headers.ETag!;
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());

        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, url);
        rangeRequest.Headers.Range = new RangeHeaderValue(8, 15);
        using var partial = await Api.SendAsync(rangeRequest);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes 8-15/{size}", partial.Content.Headers.ContentRange!.ToString());
        Assert.Equal(bytes[8..16], await partial.Content.ReadAsByteArrayAsync());

        using var suffix = new HttpRequestMessage(HttpMethod.Get, url);
        suffix.Headers.Range = new RangeHeaderValue(null, 12);
        using var tail = await Api.SendAsync(suffix);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(bytes[^12..], await tail.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await Api.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        await Api.GetJsonAsync("/api/agent/media/nope", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Chat_history_defaults_to_own_room_and_filters_by_thread()
    {
        var history = await Api.GetJsonAsync("/api/agent/chat/history");
        Assert.Equal(6, history.Total());
        var room = await Api.GetJsonAsync("/api/agent/room");
        Assert.All(history.Data(), m => Assert.Equal(room.Str("id"), m.Str("roomId")));

        var album = (await Api.GetJsonAsync("/api/agent/documents")).Data().Single(d => d.Str("title") == "Album notes");
        var thread = await Api.GetJsonAsync($"/api/agent/chat/history?roomId={room.Str("id")}&thread={album.Str("crdtKey")}");
        Assert.Equal(2, thread.Total());

        var family = (await Api.GetJsonAsync("/api/agent/rooms")).Data().Single(r => r.Str("slug") == "family");
        var familyChat = await Api.GetJsonAsync($"/api/agent/chat/history?roomId={family.Str("id")}");
        Assert.Equal(3, familyChat.Total());
        Assert.Equal("Surprise party for Carol?", familyChat.Data().Last().Str("body"));
    }

    [Fact]
    public async Task Documents_list_the_rooms_tabs_including_the_agents_own()
    {
        var documents = await Api.GetJsonAsync("/api/agent/documents");
        var types = documents.Data().Select(d => (d.Str("title"), d.Str("type"))).ToList();
        Assert.Contains(("Album notes", "EDITOR"), types);
        Assert.Contains(("photo-agent", "AGENT"), types);
    }

    [Fact]
    public async Task Files_search_is_full_text_with_snippets()
    {
        var hit = await Api.GetJsonAsync("/api/agent/files?q=bechamel");
        var file = Assert.Single(hit.Data());
        Assert.Equal("lasagne-recipe.md", file.Str("name"));
        Assert.Contains("[bechamel]", file.Str("snippet"));

        var prefix = await Api.GetJsonAsync("/api/agent/files?q=waterf");
        Assert.Equal("camping-itinerary.txt", Assert.Single(prefix.Data()).Str("name"));

        // FTS5 syntax in what was typed is searched as words, never a 500.
        Assert.Equal(0, (await Api.GetJsonAsync("/api/agent/files?q=%22unbalanced%20NEAR(%20OR%20*")).Total());
        Assert.Equal(0, (await Api.GetJsonAsync("/api/agent/files?q=submarine")).Total());
        Assert.Equal(4, (await Api.GetJsonAsync("/api/agent/files")).Total());
    }

    [Fact]
    public async Task Apps_and_their_records()
    {
        var app = Assert.Single((await Api.GetJsonAsync("/api/agent/apps")).Data());
        Assert.Equal("Shopping list", app.Str("name"));
        Assert.Equal("object", app.GetProperty("schema").Str("type"));

        var records = await Api.GetJsonAsync($"/api/agent/apps/{app.Str("id")}/records");
        Assert.Equal(5, records.Total());
        Assert.Equal("milk", records.Data().First().GetProperty("data").Str("item"));
        await Api.GetJsonAsync("/api/agent/apps/nope/records", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OpenApi_document_lists_every_endpoint_and_a_reference_page_renders_it()
    {
        using var anonymous = space.Web.CreateAgentClient(null);
        var document = await anonymous.GetJsonAsync("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        string[] expected =
        [
            "/api/agent/group", "/api/agent/room", "/api/agent/rooms", "/api/agent/feed", "/api/agent/feed/{postId}",
            "/api/agent/media/{mediaId}", "/api/agent/chat/history", "/api/agent/documents", "/api/agent/files",
            "/api/agent/apps", "/api/agent/apps/{appId}/records",
        ];
        Assert.Subset(paths, expected.ToHashSet());
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));

        // What the middleware and the read-only routes answer is documented on every path, not only the handlers' results.
        foreach (var path in expected)
        {
            var item = document.GetProperty("paths").GetProperty(path);
            var get = item.GetProperty("get").GetProperty("responses");
            Assert.True(get.TryGetProperty("401", out var unauthorized), path);
            Assert.True(unauthorized.GetProperty("headers").TryGetProperty("WWW-Authenticate", out _), path);
            Assert.True(get.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _), path);
            Assert.True(get.GetProperty("200").GetProperty("headers").TryGetProperty("RateLimit", out _), path);
            foreach (var verb in new[] { "post", "put", "patch", "delete" })
            {
                Assert.True(item.GetProperty(verb).GetProperty("responses").GetProperty("405").GetProperty("headers").TryGetProperty("Allow", out _), $"{verb} {path}");
            }
        }

        var page = await anonymous.GetStringAsync("/openapi");
        Assert.Contains("/openapi/v1.json", page);
    }
}
