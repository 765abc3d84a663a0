using Aegis.Daemon.Infrastructure;

// appsettings.json beside the binary, wherever aegisd is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddAegis();

var app = builder.Build();
app.MapAegis();
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
