namespace Aegis.Core.Instances;

/// <summary>The one place that says which state changes are allowed:
/// <c>booting → running ⇄ paused → terminated</c>, and any live state → <c>error</c>.</summary>
public static class InstanceTransitions
{
    /// <summary>True when an instance may go from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool IsAllowed(InstanceState from, InstanceState to) => (from, to) switch
    {
        (InstanceState.Booting, InstanceState.Running) => true,
        (InstanceState.Running, InstanceState.Paused) => true,
        (InstanceState.Paused, InstanceState.Running) => true,
        (InstanceState.Booting or InstanceState.Running or InstanceState.Paused, InstanceState.Terminated) => true,
        (InstanceState.Booting or InstanceState.Running or InstanceState.Paused, InstanceState.Error) => true,
        (InstanceState.Error, InstanceState.Terminated) => true, // cleaning up after a crash
        _ => false,
    };

    /// <summary>Throws <see cref="InvalidInstanceTransitionException"/> unless the change is allowed.</summary>
    public static void Ensure(string instanceId, InstanceState from, InstanceState to)
    {
        if (!IsAllowed(from, to))
        {
            throw new InvalidInstanceTransitionException(instanceId, from, to);
        }
    }

    /// <summary>True for states that hold a sandbox (booting, running, paused).</summary>
    public static bool IsLive(InstanceState state) => state is InstanceState.Booting or InstanceState.Running or InstanceState.Paused;
}
