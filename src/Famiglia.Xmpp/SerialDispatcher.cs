using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Famiglia.Xmpp;

/// <summary>Runs callbacks one at a time, in order, off the read loop. A callback that throws is logged
/// and the next one runs; a slow one delays only the callbacks queued behind it.</summary>
internal sealed class SerialDispatcher : IAsyncDisposable
{
    private readonly Channel<Func<Task>> _work = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly Task _loop;

    public SerialDispatcher(string name, ILogger logger)
    {
        _name = name;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Post(Func<Task> work) => _work.Writer.TryWrite(work);

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync())
        {
            try
            {
                await work();
            }
            catch (Exception ex)
            {
                XmppLog.HandlerFailed(_logger, _name, ex);
            }
        }
    }
}
