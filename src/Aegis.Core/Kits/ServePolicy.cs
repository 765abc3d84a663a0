namespace Aegis.Core.Kits;

/// <summary>How a serving (Mode B) instance lives.</summary>
/// <remarks>The spec defines <c>serve</c> only; a new policy is a new member here and a new name in the manifest reader.</remarks>
public enum ServePolicy
{
    /// <summary><c>serve</c>: wake on connect, pause when idle, terminate later, scale to zero.</summary>
    Serve,
}
