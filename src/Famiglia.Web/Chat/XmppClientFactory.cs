using Famiglia.Web.Infrastructure;
using Famiglia.Xmpp;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Chat;

/// <summary>XMPP clients for famiglia-web's connections, all to <see cref="FamigliaOptions.XmppService"/>.</summary>
internal sealed class XmppClientFactory(IOptions<FamigliaOptions> options, ILoggerFactory loggers)
{
    // The system clock, not the app's TimeProvider: keepalives and message stamps follow the network's time.
    public XmppClient Create(string user, string password, string resource) => new(new XmppClientOptions
    {
        Service = options.Value.XmppService,
        Domain = options.Value.XmppDomain,
        Username = user,
        Password = password,
        Resource = resource,
        Tls = new XmppTlsOptions { Mode = options.Value.XmppTls, PinnedCertificatePath = options.Value.XmppCertificatePath },
        ReconnectMaxDelay = TimeSpan.FromSeconds(10),
    }, loggers, TimeProvider.System);

    /// <summary>A new client, connected; disposed when connecting fails. <paramref name="beforeConnect"/> subscribes
    /// handlers that must see the first state changes.</summary>
    public async Task<XmppClient> ConnectAsync(
        string user, string password, string resource, CancellationToken cancellationToken, Action<XmppClient>? beforeConnect = null)
    {
        var client = Create(user, password, resource);
        beforeConnect?.Invoke(client);
        try
        {
            await client.ConnectAsync(cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }
}
