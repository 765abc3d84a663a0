namespace Aegis.Core.Kits;

/// <summary>One entry of <c>secrets.required</c>: a secret injected into the sandbox's environment.</summary>
public sealed record SecretSpec
{
    /// <summary>The environment variable the secret is injected as (<c>name</c>), e.g. <c>XMPP_PASSWORD</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the secret is for (<c>description</c>); null when absent.</summary>
    public string? Description { get; init; }

    /// <summary>Whose secret it is (<c>scope</c>, required): it decides which apps share one value.</summary>
    public required SecretScope Scope { get; init; }

    /// <summary>The product generates the value when it creates the app (<c>generated</c>, default false).</summary>
    public bool Generated { get; init; }

    /// <summary>The user types the value in (<c>user_provided</c>, default false). Never true together with <see cref="Generated"/>.</summary>
    public bool UserProvided { get; init; }

    /// <summary>An app may run without the secret (<c>optional</c>, default false).</summary>
    public bool Optional { get; init; }
}
