namespace Aegis.Core.Kits;

/// <summary>One problem found in a manifest.</summary>
/// <param name="Path">The key path of the offending value, e.g. <c>secrets.required[2].scope</c>; empty for the
/// manifest as a whole (syntax errors, unknown top-level keys).</param>
/// <param name="Problem">What is wrong, e.g. <c>"global" is not one of per_app, per_workspace</c>.</param>
/// <param name="Line">The 1-based line the problem is at.</param>
/// <param name="Column">The 1-based column the problem is at.</param>
public sealed record KitManifestError(string Path, string Problem, int Line, int Column)
{
    /// <summary><c>path: problem</c>, or the problem alone when there is no path.</summary>
    public override string ToString() => Path.Length == 0 ? Problem : $"{Path}: {Problem}";
}
