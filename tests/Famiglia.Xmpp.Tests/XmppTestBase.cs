using Famiglia.TestKit;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Famiglia.Xmpp.Tests;

/// <summary>Connects clients to a real ejabberd and disposes them after the test.</summary>
public abstract class XmppTestBase(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];
    private int _rooms;

    protected ITestOutputHelper Output { get; } = output;

    protected ILoggerFactory Logs { get; } = XunitLoggerFactory.Create(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        Logs.Dispose();
    }

    protected T Track<T>(T disposable) where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>Registers a fresh account and connects it.</summary>
    protected async Task<XmppClient> ConnectAsync(EjabberdFixture ejabberd, string user, bool webSocket = false, Func<XmppClientOptions, XmppClientOptions>? configure = null)
    {
        var options = await ejabberd.CreateAccountAsync(user, webSocket);
        var client = Track(new XmppClient(configure?.Invoke(options) ?? options, Logs));
        await client.ConnectAsync();
        return client;
    }

    /// <summary>A room name unique within the test run.</summary>
    protected Jid NewRoom(EjabberdFixture ejabberd, string prefix = "room") =>
        new($"{prefix}{Interlocked.Increment(ref _rooms)}-{Guid.NewGuid().ToString("N")[..6]}", ejabberd.MucService);

    protected static Probe<RoomMessage> Collect(MucRoom room)
    {
        var probe = new Probe<RoomMessage>();
        room.OnMessage(probe.Add);
        return probe;
    }
}
