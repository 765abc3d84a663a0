namespace Famiglia.Web.Ui;

/// <summary>The web UI: Razor Pages under <c>Ui/Pages</c>, live chat and agent status over SignalR (<c>/hubs/chat</c>).</summary>
internal static class UiSetup
{
    public static WebApplicationBuilder AddUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/Ui/Pages";
            pages.Conventions.AuthorizeFolder("/");
            pages.Conventions.AllowAnonymousToPage("/Account/Login");
            pages.Conventions.ConfigureFilter(new HandlerRequiredFilter());
        });
        builder.Services.AddScoped<SpaceQueries>();
        return builder;
    }

    public static WebApplication MapUi(this WebApplication app)
    {
        app.UseStaticFiles();
        app.MapRazorPages();
        return app;
    }
}
