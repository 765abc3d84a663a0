using Famiglia.Web.Infrastructure;
using Famiglia.Xmpp.Admin;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Chat;

/// <summary>Chat: XMPP provisioning, the archiver, sending as users, and the SignalR hub at <see cref="ChatHub.Path"/>.</summary>
internal static class ChatSetup
{
    public static WebApplicationBuilder AddChat(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddSingleton(services => new EjabberdAdminClient(
            new HttpClient { Timeout = TimeSpan.FromSeconds(30) },
            services.GetRequiredService<IOptions<FamigliaOptions>>().Value.EjabberdAdminUrl));
        builder.Services.AddSingleton<ChatAddresses>();
        builder.Services.AddSingleton<ServiceAccount>();
        builder.Services.AddSingleton<XmppClientFactory>();
        builder.Services.AddSingleton<ChatProvisioner>();
        builder.Services.AddSingleton<ChatNotifier>();
        builder.Services.AddSingleton<CanvasVersions>();
        builder.Services.AddSingleton<ChatArchiver>();
        builder.Services.AddSingleton<UserConnections>();
        builder.Services.AddSingleton<ChatService>();
        builder.Services.AddHostedService<ChatWorker>();
        return builder;
    }

    public static WebApplication MapChat(this WebApplication app)
    {
        app.MapHub<ChatHub>(ChatHub.Path);
        return app;
    }
}
