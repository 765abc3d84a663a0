using Aegis.Core.Instances;

namespace Aegis.Core.Registry;

/// <summary>One sandbox of an app release, with its lifecycle timestamps.</summary>
public sealed class InstanceEntity
{
    /// <summary>The instance id, e.g. <c>inst_…</c>.</summary>
    public required string Id { get; set; }

    /// <summary>The app.</summary>
    public required string AppId { get; set; }

    /// <summary>The release it runs, or null for an app without releases.</summary>
    public string? ReleaseId { get; set; }

    /// <summary>Its state; change it only through <see cref="InstanceTransitions"/>.</summary>
    public InstanceState State { get; set; }

    /// <summary>Why it is in <see cref="InstanceState.Error"/> or was terminated.</summary>
    public string? Reason { get; set; }

    /// <summary>The sandbox backend (bwrap, qemu, …).</summary>
    public required string Backend { get; set; }

    /// <summary>host:port where the router reaches the sandbox's port 80.</summary>
    public string? Address { get; set; }

    /// <summary>The sandbox's main process on the host, for re-adoption after a daemon restart.</summary>
    public int? Pid { get; set; }

    /// <summary>When ensure created it.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it first became healthy.</summary>
    public DateTimeOffset? ReadyAt { get; set; }

    /// <summary>When it was last paused.</summary>
    public DateTimeOffset? PausedAt { get; set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Last request or connection through the router, for idle timers.</summary>
    public DateTimeOffset LastActivityAt { get; set; }
}
