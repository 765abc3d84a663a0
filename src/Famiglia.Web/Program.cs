using Famiglia.Web.AgentApi;
using Famiglia.Web.Agents;
using Famiglia.Web.Auth;
using Famiglia.Web.Chat;
using Famiglia.Web.Commands;
using Famiglia.Web.Infrastructure;
using Famiglia.Web.Kit;
using Famiglia.Web.Ui;

// appsettings.json beside the binary, wherever it is started from; logs to stderr, so a command's
// stdout (an API key) stays clean.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = FamigliaCommands.HostArguments(args),
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.AddFamiglia();
builder.AddAgentApi();
builder.AddAuth();
builder.AddChat();
builder.AddKitApi();
builder.AddAgents();
builder.AddUi();

var app = builder.Build();
if (FamigliaCommands.IsCommand(args))
{
    return await FamigliaCommands.RunAsync(app.Services, args, Console.Out, Console.Error);
}

app.MapFamiglia();
app.MapAgentApi();
app.MapAccount();
app.MapChat();
app.MapKitApi();
app.MapUi();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
