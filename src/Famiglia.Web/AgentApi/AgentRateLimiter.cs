using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.AgentApi;

/// <summary>
/// A fixed window per agent and policy on the injected <see cref="TimeProvider"/>: the window opens with an agent's
/// first request and allows <see cref="AgentApiOptions.RateLimitPermits"/> requests; refused requests do not count.
/// The Data API (<see cref="DataPolicy"/>) and the harness's runtime calls (<see cref="RuntimePolicy"/>: heartbeats,
/// canvas version bumps) have windows of their own, so a canvas fetching a gallery's images through the Data API does
/// not make famiglia-web miss its version bumps, nor the other way round.
/// </summary>
internal sealed class AgentRateLimiter(IOptionsMonitor<AgentApiOptions> options, TimeProvider time)
{
    public const string DataPolicy = "agent";

    public const string RuntimePolicy = "agent-runtime";

    private readonly ConcurrentDictionary<(string Policy, string Agent), Window> _windows = new();

    /// <summary>Null when the agent is exempt by configuration.</summary>
    public RateLimitDecision? TryAcquire(AgentCaller caller, string policy)
    {
        var settings = options.CurrentValue;
        if (settings.RateLimitExemptAgents.Contains(caller.AgentName, StringComparer.Ordinal))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var window = _windows.GetOrAdd((policy, caller.AgentConfigId), static _ => new Window());
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

            return new RateLimitDecision(policy, allowed, settings.RateLimitPermits, settings.RateLimitPermits - window.Used, window.ResetAt, window.ResetAt - now, settings.RateLimitWindow);
        }
    }

    private sealed class Window
    {
        public DateTimeOffset ResetAt { get; set; } = DateTimeOffset.MinValue;

        public int Used { get; set; }
    }
}

internal readonly record struct RateLimitDecision(string Policy, bool Allowed, int Limit, int Remaining, DateTimeOffset ResetAt, TimeSpan ResetAfter, TimeSpan Window)
{
    /// <summary>Whole seconds until the window resets, at least 1 (what <c>Retry-After</c> and <c>t=</c> say).</summary>
    public long ResetSeconds => Math.Max(1, (long)Math.Ceiling(ResetAfter.TotalSeconds));

    /// <summary><c>X-RateLimit-*</c> and the IETF draft <c>RateLimit</c>/<c>RateLimit-Policy</c> headers.</summary>
    public void WriteHeaders(IHeaderDictionary headers)
    {
        headers["X-RateLimit-Limit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = ResetAt.AddTicks(TimeSpan.TicksPerSecond - 1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["RateLimit-Policy"] = $"\"{Policy}\";q={Limit};w={(long)Window.TotalSeconds}";
        headers["RateLimit"] = $"\"{Policy}\";r={Remaining};t={ResetSeconds}";
    }
}
