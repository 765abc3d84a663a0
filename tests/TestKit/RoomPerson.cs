using Famiglia.Xmpp;

namespace Famiglia.TestKit;

/// <summary>A person in a room over real XMPP: a fresh account, joined with the nick <c>@u:{name}…@{host}</c>, and
/// everything the room says and does collected for the test to await.</summary>
public sealed class RoomPerson : IAsyncDisposable
{
    private readonly XmppClient _client;

    private RoomPerson(XmppClient client, MucRoom room)
    {
        _client = client;
        Room = room;
        room.OnMessage(Heard.Add);
        room.OnEvent(Events.Add);
    }

    public MucRoom Room { get; }

    public Probe<RoomMessage> Heard { get; } = new();

    public Probe<MucRoomEvent> Events { get; } = new();

    /// <summary>Registers <paramref name="name"/> plus a random suffix (WebSocket), connects and joins <paramref name="room"/>.</summary>
    public static async Task<RoomPerson> JoinAsync(EjabberdFixture ejabberd, Jid room, string name)
    {
        var user = $"{name}{Guid.NewGuid().ToString("N")[..6]}";
        var client = new XmppClient(await ejabberd.CreateAccountAsync(user, webSocket: true));
        try
        {
            await client.ConnectAsync();
            var joined = await client.JoinRoomAsync(room, $"@u:{user}@{ejabberd.Host}");
            return new RoomPerson(client, joined);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
