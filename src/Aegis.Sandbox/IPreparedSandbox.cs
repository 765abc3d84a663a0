namespace Aegis.Sandbox;

/// <summary>
/// A sandbox started ahead of demand from a <see cref="SandboxTemplate"/> (cgroup, network, firewall, relays and the
/// kit's image in place, a placeholder process waiting), not yet running anyone's code. <see cref="ClaimAsync"/> makes it
/// an app's instance; disposing an unclaimed one ends it.
/// </summary>
public interface IPreparedSandbox : IAsyncDisposable
{
    string Id { get; }

    SandboxTemplate Template { get; }

    /// <summary>Completes when the prepared sandbox ended before it was claimed (or, once claimed, when the instance ends).</summary>
    Task<SandboxExit> Exited { get; }

    /// <summary>
    /// Gives the sandbox <paramref name="spec"/>'s workspace, canvas, release and instance layer, then runs its command
    /// with its environment, and returns the running sandbox. A prepared sandbox is claimed at most once.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="spec"/> does not fit the template (<see cref="SandboxTemplate.Mismatch"/>).</exception>
    /// <exception cref="SandboxException">The sandbox ended or refused a step; it is ended then, and nothing of the app ran in it.</exception>
    Task<ISandbox> ClaimAsync(SandboxSpec spec, CancellationToken cancellationToken = default);
}
