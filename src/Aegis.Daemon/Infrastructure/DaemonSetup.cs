using Aegis.Core.Registry;
using Aegis.Core.Secrets;
using Aegis.Daemon.Apps;
using Aegis.Daemon.Auth;
using Aegis.Daemon.Events;
using Aegis.Daemon.Images;
using Aegis.Daemon.Instances;
using Aegis.Daemon.Kits;
using Aegis.Daemon.Router;
using Aegis.Daemon.Snapshots;
using Aegis.Daemon.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Aegis.Daemon.Infrastructure;

internal static class DaemonSetup
{
    public static WebApplicationBuilder AddAegis(this WebApplicationBuilder builder)
    {
        // Aegis:LogFormat=json: one JSON object per line (timestamp in UTC, level, category, event id, message, and the
        // message's fields such as InstanceId under State), for a log collector; else the readable console lines.
        switch (builder.Configuration["Aegis:LogFormat"])
        {
            case null or "" or "text":
                break;
            case "json":
                builder.Logging.ClearProviders();
                builder.Logging.AddJsonConsole(o =>
                {
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                    o.UseUtcTimestamp = true;
                });
                break;
            case var other:
                throw new InvalidOperationException($"Aegis:LogFormat must be text or json, not '{other}'.");
        }

        builder.Services.AddOptions<AegisOptions>().BindConfiguration("Aegis")
            .Validate(o => Path.IsPathFullyQualified(o.DataDirectory), "Aegis:DataDirectory must be an absolute path.")
            .Validate(o => o.Images.All(i => !string.IsNullOrWhiteSpace(i.Reference) && Path.IsPathFullyQualified(i.Path)), "Every Aegis:Images entry needs a Reference and an absolute Path.")
            .Validate(o => SandboxBackendSetup.Names.Contains(o.Backend), "Aegis:Backend must be bwrap or qemu.")
            .Validate(o => Enum.IsDefined(o.SandboxScheduling), "Aegis:SandboxScheduling must be batch or normal.")
            .Validate(o => o.Quotas.MaxInstances is null or > 0, "Aegis:Quotas:MaxInstances must be a positive number.")
            .Validate(o => o.KeepReleases > 0, "Aegis:KeepReleases must be at least 1.")
            .Validate(o => o.WarmPool.Values.All(n => n is >= 0 and <= 64), "Aegis:WarmPool:{kit} must be a number of sandboxes from 0 to 64.")
            .Validate(o => o.WarmPoolRetry > TimeSpan.Zero, "Aegis:WarmPoolRetry must be positive.")
            .Validate(o => o.WarmPoolRefillDelay >= TimeSpan.Zero, "Aegis:WarmPoolRefillDelay must not be negative.")
            .Validate(o => o.Quotas.MaxMemory is null || Aegis.Core.Kits.ByteSize.TryParse(o.Quotas.MaxMemory, out _), "Aegis:Quotas:MaxMemory must be a size like 8gb.")
            .ValidateOnStart();
        builder.Services.AddOptions<RouterOptions>().BindConfiguration("Aegis:Router")
            .Validate(o => o.WakeTimeout > TimeSpan.Zero && o.ActivityTimeout > TimeSpan.Zero && o.ConnectTimeout > TimeSpan.Zero, "Aegis:Router timeouts must be positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.FrameAncestors), "Aegis:Router:FrameAncestors must name at least one origin.")
            .ValidateOnStart();
        builder.Services.AddOptions<IdleOptions>().BindConfiguration("Aegis:Idle")
            .Validate(o => o.PauseAfter > TimeSpan.Zero && o.TerminateAfter > TimeSpan.Zero && o.CheckInterval > TimeSpan.Zero, "Aegis:Idle durations must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<SnapshotOptions>().BindConfiguration("Aegis:Snapshots")
            .Validate(o => o.MaxAge > TimeSpan.Zero, "Aegis:Snapshots:MaxAge must be positive.")
            .Validate(o => o.SweepInterval > TimeSpan.Zero, "Aegis:Snapshots:SweepInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemMapping>();

        // Malformed JSON and missing bodies reach ProblemMapping, which says what is wrong, instead of a bare 400.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));

        builder.Services.AddDbContextFactory<AegisDbContext>((services, db) =>
            db.UseSqlite($"Data Source={services.GetRequiredService<IOptions<AegisOptions>>().Value.RegistryPath};Pooling=True"));
        builder.Services.AddDbContextFactory<SnapshotDbContext>((services, db) =>
            db.UseSqlite($"Data Source={services.GetRequiredService<IOptions<AegisOptions>>().Value.RegistryPath};Pooling=True"));
        builder.Services.AddSingleton<SnapshotStore>();
        builder.Services.AddSingleton(services => SecretProtector.LoadOrCreate(services.GetRequiredService<IOptions<AegisOptions>>().Value.SecretsKeyPath));
        builder.Services.AddSingleton(services => new ManagementToken(TokenFile.LoadOrCreate(services.GetRequiredService<IOptions<AegisOptions>>().Value.TokenPath)));
        builder.Services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        builder.Services.AddAuthorization();

        builder.Services.AddSandboxBackend();
        builder.Services.AddSingleton<EventHub>();
        builder.Services.AddSingleton<KitCatalog>();
        builder.Services.AddSingleton<ImageCatalog>();
        builder.Services.AddSingleton<AppService>();
        builder.Services.AddSingleton<AegisMetrics>();
        builder.Services.AddSingleton<RouteTable>();
        builder.Services.AddSingleton<InstanceManager>();
        builder.Services.AddHttpForwarder();

        // Kestrel's reads of the connections people open continue on the socket event thread too when the router's
        // setting says so: that continuation only fills the connection's pipe; requests are still handled on the thread pool.
        builder.Services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<RouterOptions>>((kestrel, router) =>
            {
                if (router.Value.InlineSocketCompletions)
                {
                    kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
                    {
                        if (connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket is { } socket)
                        {
                            SocketCompletions.TryPreferInline(socket);
                        }

                        return next(connection);
                    }));
                }
            });
        builder.Services.AddSingleton<AgentRouter>();
        builder.Services.AddHostedService<RegistryInitializer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InstanceManager>());

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(AegisMetrics.MeterName)
            .AddPrometheusExporter());
        builder.AddAegisTracing();
        return builder;
    }

    public static WebApplication MapAegis(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapRouter();
        var api = app.MapGroup("/v1").RequireAuthorization();
        api.MapKits();
        api.MapApps();
        api.MapInstances();
        api.MapTasks();
        api.MapEvents();
        api.MapBackend();
        return app;
    }
}
