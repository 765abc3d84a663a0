using System.Text.Json;

namespace Aegis.Core.Kits;

/// <summary>The app a hook is about, as the hook receives it in <c>canvas</c>:
/// <c>{"app_id": "…", "name": "…", "config": {…}}</c>.</summary>
public sealed record KitCanvas
{
    /// <summary>The app's id (Famiglia's canvas id).</summary>
    public required string AppId { get; init; }

    /// <summary>The app's name.</summary>
    public required string Name { get; init; }

    /// <summary>The app's kit-specific config (for Famiglia: group, room, agent name); null when it has none.</summary>
    public JsonElement? Config { get; init; }
}
