using System.Collections.Concurrent;
using Famiglia.Web.Infrastructure;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Auth;

/// <summary>
/// Failed sign-ins counted per account and per client address over a sliding window
/// (<see cref="LoginOptions"/>: 5 per account, 20 per address in 15 minutes). Past either limit, sign-ins are refused
/// before the password is checked until the oldest failure leaves the window, so guessing costs the attacker time, not
/// the server hashing work. A success clears the account's failures. Per process, in memory.
/// </summary>
internal sealed partial class LoginThrottle(TimeProvider time, IOptions<FamigliaOptions> options, ILogger<LoginThrottle> logger)
{
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    private LoginOptions Limits => options.Value.Login;

    /// <summary>How long until a sign-in for this account from this address may be tried; null when it may now.</summary>
    public TimeSpan? RetryAfter(string handle, string? address)
    {
        var now = time.GetUtcNow();
        var wait = new[]
        {
            Wait(AccountKey(handle), Limits.MaxFailuresPerAccount, now),
            address is null ? null : Wait(AddressKey(address), Limits.MaxFailuresPerAddress, now),
        }.Max();
        if (wait is not null)
        {
            Refused(logger, handle, address ?? "?");
        }

        return wait;
    }

    public void Failed(string handle, string? address)
    {
        var now = time.GetUtcNow();
        Add(AccountKey(handle), now);
        if (address is not null)
        {
            Add(AddressKey(address), now);
        }

        if (_failures.Count > PruneAbove)
        {
            foreach (var (key, failures) in _failures)
            {
                lock (failures)
                {
                    Expire(failures, now);
                    if (failures.Count == 0)
                    {
                        _failures.TryRemove(key, out _);
                    }
                }
            }
        }
    }

    public void Succeeded(string handle) => _failures.TryRemove(AccountKey(handle), out _);

    private static string AccountKey(string handle) => "account:" + handle;

    private static string AddressKey(string address) => "address:" + address;

    private TimeSpan? Wait(string key, int limit, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var failures))
        {
            return null;
        }

        lock (failures)
        {
            Expire(failures, now);
            return failures.Count < limit ? null : failures.ElementAt(failures.Count - limit) + Limits.Window - now;
        }
    }

    private void Add(string key, DateTimeOffset now)
    {
        var failures = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (failures)
        {
            Expire(failures, now);
            failures.Enqueue(now);
        }
    }

    private void Expire(Queue<DateTimeOffset> failures, DateTimeOffset now)
    {
        while (failures.Count > 0 && failures.Peek() + Limits.Window <= now)
        {
            failures.Dequeue();
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Sign-in for {Handle} from {Address} refused: too many failed sign-ins")]
    private static partial void Refused(ILogger logger, string handle, string address);
}

/// <summary>Sign-in throttling (section "Famiglia:Login").</summary>
public sealed record LoginOptions
{
    public int MaxFailuresPerAccount { get; init; } = 5;

    public int MaxFailuresPerAddress { get; init; } = 20;

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(15);
}
