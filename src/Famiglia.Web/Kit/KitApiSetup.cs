namespace Famiglia.Web.Kit;

/// <summary>The internal endpoints the Famiglia kit's hooks call (<c>/api/kit</c>), behind the kit token.</summary>
internal static class KitApiSetup
{
    public const string BasePath = "/api/kit";

    public static WebApplicationBuilder AddKitApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<KitToken>();
        builder.Services.AddHostedService(services => services.GetRequiredService<KitToken>());
        return builder;
    }

    public static WebApplication MapKitApi(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(BasePath), branch => branch.UseMiddleware<KitTokenMiddleware>());
        app.MapGroup(BasePath).WithTags("Kit").ExcludeFromDescription().MapKit();
        return app;
    }
}
