using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.AgentApi;

/// <summary>
/// A fixed window per agent on the injected <see cref="TimeProvider"/>: the window opens with an agent's first request
/// and allows <see cref="AgentApiOptions.RateLimitPermits"/> requests; refused requests do not count.
/// </summary>
internal sealed class AgentRateLimiter(IOptionsMonitor<AgentApiOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Null when the agent is exempt by configuration.</summary>
    public RateLimitDecision? TryAcquire(AgentCaller caller)
    {
        var settings = options.CurrentValue;
        if (settings.RateLimitExemptAgents.Contains(caller.AgentName, StringComparer.Ordinal))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var window = _windows.GetOrAdd(caller.AgentConfigId, static _ => new Window());
        lock (window)
        {
            if (now >= window.ResetAt)
            {
                window.ResetAt = now + settings.RateLimitWindow;
                window.Used = 0;
            }

            var allowed = window.Used < settings.RateLimitPermits;
            if (allowed)
            {
                window.Used++;
            }

            return new RateLimitDecision(allowed, settings.RateLimitPermits, settings.RateLimitPermits - window.Used, window.ResetAt, window.ResetAt - now, settings.RateLimitWindow);
        }
    }

    private sealed class Window
    {
        public DateTimeOffset ResetAt { get; set; } = DateTimeOffset.MinValue;

        public int Used { get; set; }
    }
}

internal readonly record struct RateLimitDecision(bool Allowed, int Limit, int Remaining, DateTimeOffset ResetAt, TimeSpan ResetAfter, TimeSpan Window)
{
    /// <summary>Whole seconds until the window resets, at least 1 (what <c>Retry-After</c> and <c>t=</c> say).</summary>
    public long ResetSeconds => Math.Max(1, (long)Math.Ceiling(ResetAfter.TotalSeconds));

    /// <summary><c>X-RateLimit-*</c> and the IETF draft <c>RateLimit</c>/<c>RateLimit-Policy</c> headers.</summary>
    public void WriteHeaders(IHeaderDictionary headers)
    {
        headers["X-RateLimit-Limit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = ResetAt.AddTicks(TimeSpan.TicksPerSecond - 1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["RateLimit-Policy"] = $"\"agent\";q={Limit};w={(long)Window.TotalSeconds}";
        headers["RateLimit"] = $"\"agent\";r={Remaining};t={ResetSeconds}";
    }
}
