using System.Net.Http.Headers;
using System.Text.Json;
using Famiglia.Xmpp;
using Xunit;

namespace Famiglia.TestKit;

/// <summary>The real parts a harness talks to: ejabberd (fixture on free ports) and a seeded famiglia-web process.</summary>
public sealed class HarnessWorld : IAsyncLifetime
{
    private int _agents;

    public EjabberdFixture Ejabberd { get; } = new();

    public FamigliaWebProcess Web { get; private set; } = null!;

    /// <summary>The demo room every harness here joins.</summary>
    public Jid Room => new("photos.feldmans", Ejabberd.MucService);

    public async Task InitializeAsync()
    {
        await Ejabberd.InitializeAsync();
        Web = await FamigliaWebProcess.StartSeededAsync();
    }

    public async Task DisposeAsync()
    {
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        await Ejabberd.DisposeAsync();
    }

    /// <summary>A new agent: XMPP account, Data API key, its document thread, and the environment the kit's
    /// render_env would give it (addresses as the harness sees them).</summary>
    public async Task<AgentIdentity> NewAgentAsync(string ejabberdHost = "127.0.0.1", string webHost = "127.0.0.1")
    {
        var slug = $"s-agent{Interlocked.Increment(ref _agents)}-{Guid.NewGuid().ToString("N")[..4]}";
        var xmpp = await Ejabberd.CreateAccountAsync(slug, webSocket: true);
        var key = await Web.IssueApiKeyAsync(slug);
        using var api = new HttpClient { BaseAddress = Web.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var room = JsonDocument.Parse(await api.GetStringAsync("/api/agent/room"));
        var roomId = room.RootElement.GetProperty("id").GetString()!;
        using var group = JsonDocument.Parse(await api.GetStringAsync("/api/agent/group"));
        using var documents = JsonDocument.Parse(await api.GetStringAsync($"/api/agent/documents?roomId={roomId}"));
        var thread = documents.RootElement.GetProperty("data").EnumerateArray()
            .Single(d => d.GetProperty("title").GetString() == slug).GetProperty("crdtKey").GetString()!;
        var nick = $"@s:{slug[2..]}@{Ejabberd.Host}";
        var env = new Dictionary<string, string>
        {
            ["XMPP_SERVICE"] = $"ws://{ejabberdHost}:{Ejabberd.HttpPort}/ws",
            ["XMPP_USER"] = slug,
            ["XMPP_PASSWORD"] = xmpp.Password,
            ["XMPP_DOMAIN"] = Ejabberd.Host,
            ["XMPP_MUC_JID"] = Room.ToString(),
            ["XMPP_NICK"] = nick,
            ["FAMIGLIA_GROUP_ID"] = group.RootElement.GetProperty("id").GetString()!,
            ["FAMIGLIA_ROOM_ID"] = roomId,
            ["FAMIGLIA_THREAD"] = thread,
            ["FAMIGLIA_API_URL"] = $"http://{webHost}:{Web.Port}",
            ["FAMIGLIA_API_KEY"] = key,
        };
        return new AgentIdentity(slug, nick, thread, key, xmpp.Password, env);
    }
}

public sealed record AgentIdentity(string Slug, string Nick, string Thread, string ApiKey, string XmppPassword, Dictionary<string, string> Environment);
