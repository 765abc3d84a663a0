using Aegis.Daemon.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddAegis();

var app = builder.Build();
app.MapAegis();
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
