namespace Aegis.Core.Kits;

/// <summary>How <see cref="KitHooks"/> runs a kit's hooks executable.</summary>
public sealed record KitHooksOptions
{
    /// <summary>The kit's hooks executable; null when the kit has none, which makes every hook a no-op.
    /// A relative path is taken from the current directory.</summary>
    public string? Executable { get; init; }

    /// <summary>How long one hook may run before it is killed with its child processes (default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest response a hook may write to stdout (default 1 MiB).</summary>
    public int MaxResponseBytes { get; init; } = 1024 * 1024;

    /// <summary>Variables added to the hook's environment. The hook does not inherit aegisd's environment, which
    /// may hold aegisd's own credentials: it gets only <c>PATH</c>, <c>HOME</c>, <c>LANG</c>, <c>TMPDIR</c> and these.</summary>
    public IReadOnlyDictionary<string, string> ExtraEnvironment { get; init; } = new Dictionary<string, string>();
}
