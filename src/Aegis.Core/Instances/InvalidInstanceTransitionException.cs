namespace Aegis.Core.Instances;

/// <summary>A lifecycle call that the instance's state does not allow (e.g. resume a terminated instance).</summary>
public sealed class InvalidInstanceTransitionException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public InvalidInstanceTransitionException(string instanceId, InstanceState from, InstanceState to)
        : base($"Instance {instanceId} is {from.ToString().ToLowerInvariant()}; it cannot become {to.ToString().ToLowerInvariant()}.")
    {
        InstanceId = instanceId;
        From = from;
        To = to;
    }

    /// <summary>The instance.</summary>
    public string InstanceId { get; }

    /// <summary>Its current state.</summary>
    public InstanceState From { get; }

    /// <summary>The state asked for.</summary>
    public InstanceState To { get; }
}
