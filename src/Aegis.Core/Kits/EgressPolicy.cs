namespace Aegis.Core.Kits;

/// <summary>Whether a sandbox may reach the internet.</summary>
public enum EgressPolicy
{
    /// <summary><c>deny</c>: only <see cref="KitNetworking.InternalHosts"/> are reachable.</summary>
    Deny,

    /// <summary><c>allow</c>: the internet is reachable.</summary>
    Allow,
}
