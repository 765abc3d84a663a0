namespace Aegis.Core.Kits;

/// <summary>Whose secret a <see cref="SecretSpec"/> is.</summary>
public enum SecretScope
{
    /// <summary><c>per_app</c>: each app has its own value.</summary>
    PerApp,

    /// <summary><c>per_workspace</c>: one value shared by every app of a workspace.</summary>
    PerWorkspace,
}
