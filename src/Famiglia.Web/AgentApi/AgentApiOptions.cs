namespace Famiglia.Web.AgentApi;

/// <summary>Agent Data API settings (section "AgentApi").</summary>
public sealed record AgentApiOptions
{
    /// <summary>Requests each agent may make per <see cref="RateLimitWindow"/> (spec §6.2: 100 per minute).</summary>
    public int RateLimitPermits { get; init; } = 100;

    public TimeSpan RateLimitWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Agents (by AgentConfig name) not rate limited, such as the benchmark's: a deployment choice, not a code path.</summary>
    public string[] RateLimitExemptAgents { get; init; } = [];

    /// <summary>Rendered feed pages kept in memory, in bytes (0: none). Each is checked against the group's feed version
    /// on every request, so a cached page is never older than the database.</summary>
    public long FeedCacheBytes { get; init; } = 32 * 1024 * 1024;
}
