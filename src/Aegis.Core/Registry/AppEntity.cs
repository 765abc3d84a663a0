namespace Aegis.Core.Registry;

/// <summary>A registered workload of a kit (one Famiglia agent).</summary>
public sealed class AppEntity
{
    /// <summary>The app id, e.g. <c>app_3f9c…</c>.</summary>
    public required string Id { get; set; }

    /// <summary>The kit it belongs to.</summary>
    public required string Kit { get; set; }

    /// <summary>A human name.</summary>
    public required string Name { get; set; }

    /// <summary>The group it counts against for the kit's <c>max_agents_per_group</c>, when the config names one.</summary>
    public string? Group { get; set; }

    /// <summary>The app's configuration (the kit's canvas config), JSON.</summary>
    public required string ConfigJson { get; set; }

    /// <summary>Declared served (Mode B): the router may wake it.</summary>
    public bool Served { get; set; }

    /// <summary>When it was registered.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
