namespace Aegis.Sandbox;

/// <summary>
/// What a pre-started generic sandbox (the warm pool, AEGIS.md's base tier: "kit image booted to ready") is made of:
/// everything of a <see cref="SandboxSpec"/> that is the kit's, not the app's. The app's part (command, environment,
/// workspace, canvas, release, instance layer) comes when the sandbox is claimed; the claiming spec must agree with
/// this template on the rest.
/// </summary>
/// <param name="InstanceId">The id the claimed instance will have (same rules as <see cref="SandboxSpec.InstanceId"/>).</param>
public sealed record SandboxTemplate(string InstanceId)
{
    public SandboxImage? Image { get; init; }

    public IReadOnlyList<InternalHost> InternalHosts { get; init; } = [];

    public SandboxResources Resources { get; init; } = new();

    public SandboxNetwork Network { get; init; } = new();

    /// <summary>Why <paramref name="spec"/> cannot claim a sandbox made from this template; null when it can.</summary>
    public string? Mismatch(SandboxSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.InstanceId != InstanceId)
        {
            return $"the instance id is {spec.InstanceId}, the prepared sandbox's {InstanceId}";
        }

        if (spec.Image?.RootDirectory != Image?.RootDirectory)
        {
            return $"the image is {spec.Image?.RootDirectory ?? "the host's"}, the prepared sandbox's {Image?.RootDirectory ?? "the host's"}";
        }

        if (spec.Resources != Resources)
        {
            return $"the resources are {spec.Resources}, the prepared sandbox's {Resources}";
        }

        if (spec.Network != Network)
        {
            return $"the network is {spec.Network}, the prepared sandbox's {Network}";
        }

        return spec.InternalHosts.SequenceEqual(InternalHosts) ? null : "the internal hosts differ from the prepared sandbox's";
    }
}
