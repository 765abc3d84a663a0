namespace Aegis.Daemon.Instances;

/// <summary>The idle timers of serving instances (section "Aegis:Idle"); an app's <c>config.idle</c> overrides the durations.</summary>
public sealed record IdleOptions
{
    /// <summary>A running instance with no request and no open connection for this long is paused.</summary>
    public TimeSpan PauseAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A paused instance nobody asked for during this long is terminated (its workspace stays).</summary>
    public TimeSpan TerminateAfter { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the idle timers are looked at.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(1);
}
