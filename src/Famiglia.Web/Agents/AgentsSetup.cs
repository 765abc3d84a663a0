namespace Famiglia.Web.Agents;

/// <summary>Agents: the §7.3 lifecycle against aegisd, status from aegisd's events, releases rolled out, sleeping agents
/// woken when someone writes to them.</summary>
internal static class AgentsSetup
{
    public static WebApplicationBuilder AddAgents(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AegisOptions>().BindConfiguration("Famiglia:Aegis");
        // No HttpClient request logging: the events listener retries while aegisd is down and logs that once itself.
        builder.Services.AddHttpClient<AegisClient>(AegisClient.Configure).RemoveAllLoggers();
        builder.Services.AddSingleton<AgentTemplates>();
        builder.Services.AddSingleton<AgentLifecycle>();
        builder.Services.AddSingleton<AegisEventsListener>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AegisEventsListener>());
        builder.Services.AddSingleton<ReleaseRollouts>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ReleaseRollouts>());
        builder.Services.AddSingleton<AgentWaker>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AgentWaker>());
        return builder;
    }
}
