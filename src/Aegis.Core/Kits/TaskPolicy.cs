namespace Aegis.Core.Kits;

/// <summary>What happens to a task's (Mode A) sandbox.</summary>
/// <remarks>The spec defines <c>stateless</c> only; a new policy is a new member here and a new name in the manifest reader.</remarks>
public enum TaskPolicy
{
    /// <summary><c>stateless</c>: a fresh sandbox per run, nothing kept afterwards.</summary>
    Stateless,
}
