namespace Aegis.Core.Kits;

/// <summary>The manifest's <c>resources</c> section: what each sandbox of the kit gets.</summary>
/// <remarks>Sizes are binary: <c>512mb</c> is 512 MiB. See <see cref="ByteSize"/> for the accepted units.</remarks>
public sealed record KitResources
{
    /// <summary>Memory limit in bytes (<c>resources.memory</c>, required, e.g. <c>512mb</c>).</summary>
    public required long Memory { get; init; }

    /// <summary>CPUs, possibly fractional (<c>resources.cpu</c>, required, greater than 0).</summary>
    public required decimal Cpu { get; init; }

    /// <summary>Disk (workspace volume) limit in bytes (<c>resources.disk</c>, required, e.g. <c>1gb</c>).</summary>
    public required long Disk { get; init; }

    /// <summary>How many agents one group may run (<c>resources.max_agents_per_group</c>, at least 1); null when unlimited.</summary>
    public int? MaxAgentsPerGroup { get; init; }
}
