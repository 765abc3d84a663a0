using System.Text.Json;

namespace Famiglia.AgentSdk.Tests;

/// <summary><c>api.*</c>: params as the protocol names them, results as the Data API's DTOs serialize (camelCase,
/// enums as strings, UTC dates with Z).</summary>
public sealed class AgentDataApiTests
{
    private const string FeedPage = """
        {"data":[
          {"id":"post_2","type":"image","content":{"text":"Beach <day>","linkUrl":null},
           "author":{"id":"usr_a","handle":"alice","displayName":"Alice Feldman"},
           "media":[{"id":"med_2","mime":"image/jpeg","size":48213,"width":1024,"height":768,"url":"_media/med_2"}],
           "createdAt":"2026-11-25T18:04:05.123Z"},
          {"id":"post_1","type":"image","content":{"text":null,"linkUrl":null},
           "author":{"id":"usr_b","handle":"bob","displayName":"Bob"},
           "media":[{"id":"med_1","mime":"image/png","size":1200,"width":null,"height":null,"url":"_media/med_1"}],
           "createdAt":"2026-11-24T08:00:00Z"}],
         "total":7,"hasMore":true}
        """;

    [Fact]
    public async Task FeedAsync_SendsTheQuery_AndReadsAPageOfPosts()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var feed = peer.Agent.Api.FeedAsync(new FeedQuery { Type = "image", Limit = 2, Offset = 4 });
        var request = await peer.ExpectRequestAsync("api.feed");
        await peer.RespondAsync(request, FeedPage);
        var page = await feed.WaitAsync(HarnessPeer.Timeout);

        Assert.Equal("""{"type":"image","limit":2,"offset":4}""", request.GetProperty("params").GetRawText());
        Assert.Equal(7, page.Total);
        Assert.True(page.HasMore);
        Assert.Equal(2, page.Data.Count);
        var post = page.Data[0];
        Assert.Equal("post_2", post.Id);
        Assert.Equal("image", post.Type);
        Assert.Equal(new PostContent("Beach <day>", null), post.Content);
        Assert.Equal(new UserInfo("usr_a", "alice", "Alice Feldman"), post.Author);
        Assert.Equal(new MediaInfo("med_2", "image/jpeg", 48213, 1024, 768, "_media/med_2"), Assert.Single(post.Media));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 18, 4, 5, 123, TimeSpan.Zero), post.CreatedAt);
        Assert.Null(page.Data[1].Content.Text);
        Assert.Null(page.Data[1].Media[0].Width);
    }

    [Fact]
    public async Task FeedAsync_WithoutQuery_SendsEmptyParams()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var feed = peer.Agent.Api.FeedAsync();
        var request = await peer.ExpectRequestAsync("api.feed");
        await peer.RespondAsync(request, """{"data":[],"total":0,"hasMore":false}""");

        Assert.Equal("{}", request.GetProperty("params").GetRawText());
        Assert.Empty((await feed.WaitAsync(HarnessPeer.Timeout)).Data);
    }

    [Fact]
    public async Task GroupAsync_ReadsMembersWithRolesAsStrings()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var group = peer.Agent.Api.GroupAsync();
        var request = await peer.ExpectRequestAsync("api.group");
        await peer.RespondAsync(request, """
            {"id":"grp_1","slug":"feldmans","name":"The Feldmans","createdAt":"2026-01-01T00:00:00Z",
             "members":[{"userId":"usr_a","handle":"alice","displayName":"Alice","role":"OWNER","joinedAt":"2026-01-01T00:00:00Z"}]}
            """);

        var info = await group.WaitAsync(HarnessPeer.Timeout);
        Assert.Equal("{}", request.GetProperty("params").GetRawText());
        Assert.Equal("The Feldmans", info.Name);
        Assert.Equal("OWNER", Assert.Single(info.Members).Role);
    }

    [Fact]
    public async Task RoomAndRooms_ReadRoomInfo()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();
        const string room = """
            {"id":"room_1","slug":"photos","name":"Photos","visibility":"PARTICIPANTS_ONLY","mucJid":"photos.feldmans@conference.dev1.localhost",
             "createdAt":"2026-01-02T00:00:00Z","participants":[{"id":"usr_a","handle":"alice","displayName":"Alice"}]}
            """;

        var own = peer.Agent.Api.RoomAsync();
        await peer.RespondAsync(await peer.ExpectRequestAsync("api.room"), room);
        var all = peer.Agent.Api.RoomsPageAsync(new PageQuery { Limit = 10 });
        var roomsRequest = await peer.ExpectRequestAsync("api.rooms");
        Assert.Equal("""{"limit":10}""", roomsRequest.GetProperty("params").GetRawText());
        await peer.RespondAsync(roomsRequest, $$"""{"data":[{{room}}],"total":1,"hasMore":false}""");

        Assert.Equal("PARTICIPANTS_ONLY", (await own.WaitAsync(HarnessPeer.Timeout)).Visibility);
        Assert.Equal("alice", Assert.Single((await all.WaitAsync(HarnessPeer.Timeout)).Data).Participants[0].Handle);
    }

    [Fact]
    public async Task RoomsAndFiles_WithoutPaging_FetchEveryPage()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();
        static string Room(int i) => $$"""{"id":"room_{{i}}","slug":"r{{i}}","name":"R{{i}}","visibility":"PUBLIC","mucJid":"r{{i}}@conference.x","createdAt":"2026-01-02T00:00:00Z","participants":[]}""";

        var rooms = peer.Agent.Api.RoomsAsync();
        var first = await peer.ExpectRequestAsync("api.rooms");
        Assert.Equal("""{"limit":200,"offset":0}""", first.GetProperty("params").GetRawText());
        await peer.RespondAsync(first, $$"""{"data":[{{Room(1)}},{{Room(2)}}],"total":3,"hasMore":true}""");
        var second = await peer.ExpectRequestAsync("api.rooms");
        Assert.Equal("""{"limit":200,"offset":2}""", second.GetProperty("params").GetRawText());
        await peer.RespondAsync(second, $$"""{"data":[{{Room(3)}}],"total":3,"hasMore":false}""");
        Assert.Equal(["r1", "r2", "r3"], (await rooms.WaitAsync(HarnessPeer.Timeout)).Select(r => r.Slug));

        var files = peer.Agent.Api.FilesAsync("");
        var search = await peer.ExpectRequestAsync("api.files");
        Assert.Equal("""{"q":"","limit":200,"offset":0}""", search.GetProperty("params").GetRawText());
        await peer.RespondAsync(search, """{"data":[],"total":0,"hasMore":false}""");
        Assert.Empty(await files.WaitAsync(HarnessPeer.Timeout));
    }

    [Fact]
    public async Task PostAsync_SendsThePostId()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var post = peer.Agent.Api.PostAsync("post_9");
        var request = await peer.ExpectRequestAsync("api.post");
        await peer.RespondAsync(request, """
            {"id":"post_9","type":"link","content":{"text":"Read this","linkUrl":"https://example.org"},
             "author":{"id":"usr_a","handle":"alice","displayName":"Alice"},"media":[],"createdAt":"2026-11-25T18:04:05Z"}
            """);

        Assert.Equal("""{"postId":"post_9"}""", request.GetProperty("params").GetRawText());
        var read = await post.WaitAsync(HarnessPeer.Timeout);
        Assert.Equal("https://example.org", read.Content.LinkUrl);
        Assert.Empty(read.Media);
    }

    [Fact]
    public async Task MediaAsync_DecodesBase64()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();
        byte[] bytes = [0xFF, 0xD8, 0xFF, 0x00, 0x10];

        var media = peer.Agent.Api.MediaAsync("med_2");
        var request = await peer.ExpectRequestAsync("api.media");
        await peer.RespondAsync(request, $$"""{"contentType":"image/jpeg","base64":"{{Convert.ToBase64String(bytes)}}"}""");

        Assert.Equal("""{"mediaId":"med_2"}""", request.GetProperty("params").GetRawText());
        var content = await media.WaitAsync(HarnessPeer.Timeout);
        Assert.Equal("image/jpeg", content.ContentType);
        Assert.Equal(bytes, content.Bytes);
    }

    [Fact]
    public async Task ChatHistoryAsync_SendsRoomAndPaging_AndReadsMessages()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var history = peer.Agent.Api.ChatHistoryAsync(new ChatQuery { RoomId = "room_2", Limit = 10 });
        var request = await peer.ExpectRequestAsync("api.chatHistory");
        await peer.RespondAsync(request, """
            {"data":[{"id":"msg_1","roomId":"room_2","author":null,"authorNick":"@s:other@dev1.localhost","body":"hi","thread":null,"stanzaId":"17","createdAt":"2026-11-26T09:30:00Z"}],
             "total":1,"hasMore":false}
            """);

        Assert.Equal("""{"roomId":"room_2","limit":10}""", request.GetProperty("params").GetRawText());
        var message = Assert.Single((await history.WaitAsync(HarnessPeer.Timeout)).Data);
        Assert.Null(message.Author);
        Assert.Equal("17", message.StanzaId);
    }

    [Fact]
    public async Task DocumentsAsync_SendsTheRoomWhenGiven()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var own = peer.Agent.Api.DocumentsPageAsync();
        var ownRequest = await peer.ExpectRequestAsync("api.documents");
        await peer.RespondAsync(ownRequest, """
            {"data":[{"id":"doc_1","roomId":"room_1","type":"AGENT","title":"Photo agent","crdtKey":"clx_doc_key","createdAt":"2026-11-01T00:00:00Z","updatedAt":"2026-11-02T00:00:00Z"}],
             "total":1,"hasMore":false}
            """);
        var other = peer.Agent.Api.DocumentsPageAsync("room_2", new PageQuery { Limit = 200, Offset = 50 });
        var otherRequest = await peer.ExpectRequestAsync("api.documents");
        await peer.RespondAsync(otherRequest, """{"data":[],"total":0,"hasMore":false}""");

        Assert.Equal("{}", ownRequest.GetProperty("params").GetRawText());
        Assert.Equal("""{"roomId":"room_2","limit":200,"offset":50}""", otherRequest.GetProperty("params").GetRawText());
        Assert.Equal("AGENT", Assert.Single((await own.WaitAsync(HarnessPeer.Timeout)).Data).Type);
        Assert.Empty((await other.WaitAsync(HarnessPeer.Timeout)).Data);
    }

    [Fact]
    public async Task FilesAsync_SendsQ()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var files = peer.Agent.Api.FilesPageAsync("recipe", limit: 5);
        var request = await peer.ExpectRequestAsync("api.files");
        await peer.RespondAsync(request, """
            {"data":[{"id":"file_1","name":"nonna.txt","mime":"text/plain","size":120,"roomId":null,"text":"The recipe","snippet":"The [recipe]","createdAt":"2026-11-01T00:00:00Z"}],
             "total":1,"hasMore":false}
            """);

        Assert.Equal("""{"q":"recipe","limit":5}""", request.GetProperty("params").GetRawText());
        Assert.Equal("The [recipe]", Assert.Single((await files.WaitAsync(HarnessPeer.Timeout)).Data).Snippet);
    }

    [Fact]
    public async Task AppsAndAppRecords_KeepSchemaAndDataAsJson()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var apps = peer.Agent.Api.AppsPageAsync(new PageQuery { Offset = 50 });
        var appsRequest = await peer.ExpectRequestAsync("api.apps");
        Assert.Equal("""{"offset":50}""", appsRequest.GetProperty("params").GetRawText());
        await peer.RespondAsync(appsRequest, """
            {"data":[{"id":"app_1","name":"Groceries","documentId":"doc_2","schema":{"type":"object","properties":{"item":{"type":"string"}}},"createdAt":"2026-11-01T00:00:00Z"}],
             "total":1,"hasMore":false}
            """);
        var records = peer.Agent.Api.AppRecordsAsync("app_1", new RecordQuery { Offset = 50 });
        var recordsRequest = await peer.ExpectRequestAsync("api.appRecords");
        await peer.RespondAsync(recordsRequest, """
            {"data":[{"id":"rec_1","appId":"app_1","data":{"item":"milk","qty":2},"createdAt":"2026-11-01T00:00:00Z","updatedAt":"2026-11-01T00:00:00Z"}],
             "total":51,"hasMore":false}
            """);

        var app = Assert.Single((await apps.WaitAsync(HarnessPeer.Timeout)).Data);
        Assert.Equal("object", app.Schema.GetProperty("type").GetString());
        Assert.Equal("""{"appId":"app_1","offset":50}""", recordsRequest.GetProperty("params").GetRawText());
        var record = Assert.Single((await records.WaitAsync(HarnessPeer.Timeout)).Data);
        Assert.Equal(2, record.Data.GetProperty("qty").GetInt32());
        Assert.Equal(JsonValueKind.Object, record.Data.ValueKind);
    }

    [Fact]
    public async Task DataApiError_BecomesFamigliaAgentException_WithStatusAndTitle()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var post = peer.Agent.Api.PostAsync("missing");
        await peer.RespondErrorAsync(
            await peer.ExpectRequestAsync("api.post"), FamigliaErrorCodes.DataApiError, "Post not found", """{"status":404,"title":"Not Found"}""");

        var error = await Assert.ThrowsAsync<FamigliaAgentException>(() => post.WaitAsync(HarnessPeer.Timeout));
        Assert.Equal(FamigliaErrorCodes.DataApiError, error.Code);
        Assert.Equal("Post not found", error.Message);
        Assert.Equal(404, error.Status);
        Assert.Equal("Not Found", error.Title);
        Assert.Null(error.Field);
    }
}
