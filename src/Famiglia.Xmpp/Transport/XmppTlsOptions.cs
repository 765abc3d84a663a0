namespace Famiglia.Xmpp;

/// <summary>When to use TLS on a TCP connection.</summary>
public enum XmppTlsMode
{
    /// <summary>STARTTLS must succeed, or the connection is refused. The default.</summary>
    Required,

    /// <summary>STARTTLS when the server offers it, plaintext otherwise.</summary>
    IfOffered,

    /// <summary>Never STARTTLS (loopback development only). PLAIN authentication is then refused.</summary>
    Disabled,
}

/// <summary>TLS settings: how the server certificate is validated.</summary>
public sealed record XmppTlsOptions
{
    /// <summary>When to negotiate TLS on TCP. WebSocket uses TLS when the URI is <c>wss://</c>.</summary>
    public XmppTlsMode Mode { get; init; } = XmppTlsMode.Required;

    /// <summary>A PEM or DER file with the certificate (or CA) to trust instead of the system store.
    /// The server's certificate must be this certificate or chain up to it.</summary>
    public string? PinnedCertificatePath { get; init; }

    /// <summary>Accept any certificate. Development only: a warning is logged on every connection.</summary>
    public bool AcceptAnyCertificate { get; init; }
}
