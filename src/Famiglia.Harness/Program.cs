using System.Collections;
using Famiglia.Harness;

var clock = new StartClock();
HarnessSettings settings;
try
{
    var env = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
    settings = HarnessSettings.FromEnvironment(env);
}
catch (HarnessConfigurationException ex)
{
    Console.Error.WriteLine("famiglia-harness: cannot start:");
    foreach (var error in ex.Errors)
    {
        Console.Error.WriteLine("  - " + error);
    }

    Console.Error.WriteLine("See docs/agent-protocol.md and the kit's render_env for what the sandbox must provide.");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
});
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(settings.Port));
var grace = new ShutdownGrace();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(clock);
builder.Services.AddSingleton(grace);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(new CanvasStore(settings.CanvasDirectory));
builder.Services.AddSingleton(new AgentInbox());
builder.Services.AddSingleton(sp => new DataApiClient(DataApiClient.CreateHttpClient(settings)));
builder.Services.AddSingleton(sp => new MediaCache(
    sp.GetRequiredService<DataApiClient>(), Path.Combine(settings.WorkspaceDirectory, ".cache", "media"), TimeProvider.System, sp.GetRequiredService<ILogger<MediaCache>>()));
builder.Services.AddSingleton<RoomLink>();
builder.Services.AddSingleton<AgentRequestHandler>();
builder.Services.AddSingleton<AgentSupervisor>();
builder.Services.AddSingleton<HarnessHealth>();
builder.Services.AddHostedService<HarnessService>();
builder.Services.AddHostedService<ControlChannelClient>();
builder.Services.AddHostedService<HeartbeatService>();

Directory.CreateDirectory(settings.WorkspaceDirectory);
var app = builder.Build();
var inbox = app.Services.GetRequiredService<AgentInbox>();
var inboxLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Famiglia.Harness.AgentInbox");
inbox.Dropped += line => inboxLogger.LogWarning("{Line}", line);
app.MapCanvas();
await app.RunAsync();
return 0;
