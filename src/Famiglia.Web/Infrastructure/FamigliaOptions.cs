namespace Famiglia.Web.Infrastructure;

/// <summary>famiglia-web settings (section "Famiglia").</summary>
public sealed record FamigliaOptions
{
    /// <summary>The SQLite database and the media store live here.</summary>
    public string DataDirectory { get; init; } = "/var/lib/famiglia";

    /// <summary>The XMPP domain that user handles and agent JIDs are in.</summary>
    public string XmppDomain { get; init; } = "dev1.localhost";

    /// <summary>Where famiglia-web's own XMPP clients (the archiver, users' senders) connect: <c>xmpp://host:5222</c> or <c>ws://host:5280/ws</c>.</summary>
    public Uri XmppService { get; init; } = new("xmpp://127.0.0.1:5222");

    /// <summary>STARTTLS on <see cref="XmppService"/>: Required (default), IfOffered or Disabled (loopback only).</summary>
    public Famiglia.Xmpp.XmppTlsMode XmppTls { get; init; } = Famiglia.Xmpp.XmppTlsMode.Required;

    /// <summary>ejabberd's certificate (PEM, e.g. <c>.famiglia/ejabberd/crt.pem</c>), trusted instead of the system store.</summary>
    public string? XmppCertificatePath { get; init; }

    /// <summary>ejabberd's <c>mod_http_api</c> (version 0), for accounts, rooms and affiliations.</summary>
    public Uri EjabberdAdminUrl { get; init; } = new("http://127.0.0.1:5280/api/v0/");

    /// <summary>XMPP provisioning, the archiver and sending chat as users. Off: chat history is read-only.</summary>
    public bool ChatEnabled { get; init; } = true;

    /// <summary>The password the demo users (alice, bob, carol) get when they are seeded.</summary>
    public string DemoPassword { get; init; } = "famiglia";

    /// <summary>Data Protection's key ring (sign-in cookies, antiforgery tokens, the sealed secrets of <c>SecretBox</c>);
    /// default <c>{DataDirectory}/keys</c>. Keep it out of database backups; losing it makes the sealed secrets unreadable.</summary>
    public string? KeysDirectory { get; init; }

    /// <summary>Failed sign-ins allowed per account and per address before sign-ins are refused for a while.</summary>
    public Famiglia.Web.Auth.LoginOptions Login { get; init; } = new();

    internal string DatabasePath => Path.Combine(DataDirectory, "famiglia.db");

    internal string KeyRingDirectory => KeysDirectory ?? Path.Combine(DataDirectory, "keys");

    internal string MediaDirectory => Path.Combine(DataDirectory, "media");
}
