namespace Famiglia.Web.Infrastructure;

/// <summary>famiglia-web settings (section "Famiglia").</summary>
public sealed record FamigliaOptions
{
    /// <summary>The SQLite database and the media store live here.</summary>
    public string DataDirectory { get; init; } = "/var/lib/famiglia";

    /// <summary>The XMPP domain that user handles and agent JIDs are in.</summary>
    public string XmppDomain { get; init; } = "dev1.localhost";

    internal string DatabasePath => Path.Combine(DataDirectory, "famiglia.db");

    internal string MediaDirectory => Path.Combine(DataDirectory, "media");
}
