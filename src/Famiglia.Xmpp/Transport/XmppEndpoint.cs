namespace Famiglia.Xmpp;

/// <summary>Where the client connects, parsed from the service URI.</summary>
internal sealed record XmppEndpoint(bool IsWebSocket, string Host, int Port, Uri Uri)
{
    public static XmppEndpoint Parse(Uri service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.Scheme switch
        {
            "xmpp" or "tcp" => new XmppEndpoint(false, service.Host, service.IsDefaultPort || service.Port < 0 ? 5222 : service.Port, service),
            "ws" or "wss" => new XmppEndpoint(true, service.Host, service.Port, service),
            _ => throw new ArgumentException($"Unsupported XMPP service '{service}': use xmpp://host:5222, ws://host:5280/ws or wss://….", nameof(service)),
        };
    }
}
