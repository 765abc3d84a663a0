using System.Threading.Channels;

namespace Famiglia.TestKit;

/// <summary>Collects what handlers receive, for tests to await in order. The timeout only guards
/// against a hang; no test asserts on how long anything took.</summary>
public sealed class Probe<T>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly Channel<T> _items = Channel.CreateUnbounded<T>();

    public Task Add(T item)
    {
        _items.Writer.TryWrite(item);
        return Task.CompletedTask;
    }

    public async Task<T> NextAsync()
    {
        using var cts = new CancellationTokenSource(HangGuard);
        try
        {
            return await _items.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Nothing arrived within {HangGuard}.");
        }
    }

    public async Task<List<T>> NextAsync(int count)
    {
        var list = new List<T>();
        for (var i = 0; i < count; i++)
        {
            list.Add(await NextAsync());
        }

        return list;
    }

    public async Task<T> NextMatchingAsync(Func<T, bool> predicate)
    {
        while (true)
        {
            var item = await NextAsync();
            if (predicate(item))
            {
                return item;
            }
        }
    }

    public bool TryTake(out T item) => _items.Reader.TryRead(out item!);
}
