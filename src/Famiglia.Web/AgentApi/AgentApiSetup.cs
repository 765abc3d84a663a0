using Famiglia.Web.Agents;
using Famiglia.Web.Infrastructure;

namespace Famiglia.Web.AgentApi;

/// <summary>The Agent Data API (spec §6.2) under <c>/api/agent</c>.</summary>
internal static class AgentApiSetup
{
    public const string BasePath = "/api/agent";

    public static WebApplicationBuilder AddAgentApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AgentApiOptions>().BindConfiguration("AgentApi")
            .Validate(o => o.RateLimitPermits > 0 && o.RateLimitWindow > TimeSpan.Zero, "AgentApi:RateLimitPermits and RateLimitWindow must be positive.")
            .Validate(o => o.FeedCacheBytes >= 0, "AgentApi:FeedCacheBytes must not be negative.")
            .ValidateOnStart();
        builder.Services.AddSingleton<AgentRateLimiter>();
        builder.Services.AddSingleton<FeedPageCache>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AuditWriter>());
        return builder;
    }

    public static WebApplication MapAgentApi(this WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(BasePath) || context.Request.Path.StartsWithSegments(Agents.AgentRuntimeApi.BasePath),
            branch => branch.UseMiddleware<AgentApiMiddleware>());

        var api = app.MapGroup(BasePath).WithTags("Agent Data API");
        api.MapSpace();
        api.MapFeed();
        api.MapRoomContent();
        api.MapFiles();
        api.MapApps();
        app.MapAgentRuntime();
        return app;
    }
}
