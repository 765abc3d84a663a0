namespace Aegis.Core.Kits;

/// <summary>The manifest's <c>policies</c> section: the lifecycle policies apps of the kit start with.</summary>
public sealed record KitPolicies
{
    /// <summary>What a manifest without <c>policies</c> gets: <c>stateless</c> tasks, <c>serve</c> instances.</summary>
    public static KitPolicies Default { get; } = new();

    /// <summary>The policy of a task (Mode A) (<c>policies.default_task</c>, default <c>stateless</c>).</summary>
    public TaskPolicy DefaultTask { get; init; } = TaskPolicy.Stateless;

    /// <summary>The policy of a serving instance (Mode B) (<c>policies.default_serve</c>, default <c>serve</c>).</summary>
    public ServePolicy DefaultServe { get; init; } = ServePolicy.Serve;
}
