using System.Net.Http.Headers;
using Famiglia.TestKit;
using Famiglia.Web.Agents;
using Famiglia.Web.Demo;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Famiglia.Web.Tests;

/// <summary>A real famiglia-web on Kestrel (loopback, free port), SQLite in a temp data dir (or a given PostgreSQL database),
/// a hand-moved clock.</summary>
public sealed class FamigliaWebFactory : WebApplicationFactory<Program>
{
    /// <summary>Agents the suite uses for everything but the rate limit, exempt by configuration as the bench's would be.</summary>
    public static readonly string[] ExemptAgents = ["photo-agent", "rossi-agent"];

    private readonly bool _ownsDataDirectory;

    /// <summary>Without <paramref name="ejabberd"/>, chat is switched off (no XMPP worker); with it, famiglia-web provisions
    /// that ejabberd, archives its rooms and sends users' chat through it. A given <paramref name="dataDirectory"/> (to start
    /// a second server on the first one's data) is left in place on dispose; the default temp one is deleted.</summary>
    public FamigliaWebFactory(EjabberdFixture? ejabberd = null, string? dataDirectory = null, string? postgres = null)
    {
        Ejabberd = ejabberd;
        Postgres = postgres;
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("famiglia-web-test-").FullName;
        UseKestrel(0);
    }

    public EjabberdFixture? Ejabberd { get; }

    /// <summary>A PostgreSQL connection string (the database is made by the migrations); null for SQLite in the data dir.</summary>
    public string? Postgres { get; }

    public string DataDirectory { get; }

    /// <summary>The server's log, for failure messages.</summary>
    public CapturedLog Log { get; } = new();

    /// <summary>The server's address (starts it).</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            using var client = CreateClient();
            return client.BaseAddress!;
        }
    }

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public HttpClient CreateAgentClient(string? key)
    {
        StartServer();
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async Task<string> IssueKeyAsync(string group, string agent, string room = "photos")
    {
        StartServer();
        return (await Services.GetRequiredService<ApiKeyService>().IssueAsync(group, agent, room)).Key;
    }

    public async Task SeedAsync()
    {
        StartServer();
        var seeder = Services.GetRequiredService<DemoSeeder>();
        Assert.True(await seeder.SeedDemoAsync());
        Assert.True(await seeder.SeedGroupAsync("rossis", "The Rossis", ["dario", "elena"], 12));
    }

    public async Task<T> QueryAsync<T>(Func<FamigliaDbContext, Task<T>> query)
    {
        await using var context = await Services.GetRequiredService<IDbContextFactory<FamigliaDbContext>>().CreateDbContextAsync();
        return await query(context);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Famiglia:DataDirectory", DataDirectory);
        builder.UseSetting("Urls", "http://127.0.0.1:0");
        if (Postgres is not null)
        {
            builder.UseSetting("ConnectionStrings:Famiglia", Postgres);
        }

        for (var i = 0; i < ExemptAgents.Length; i++)
        {
            builder.UseSetting($"AgentApi:RateLimitExemptAgents:{i}", ExemptAgents[i]);
        }

        if (Ejabberd is null)
        {
            builder.UseSetting("Famiglia:ChatEnabled", "false");
        }
        else
        {
            builder.UseSetting("Famiglia:XmppDomain", Ejabberd.Host);
            builder.UseSetting("Famiglia:XmppService", Ejabberd.TcpUri.ToString());
            builder.UseSetting("Famiglia:XmppCertificatePath", Ejabberd.CertificatePath);
            builder.UseSetting("Famiglia:EjabberdAdminUrl", Ejabberd.AdminApiUri.ToString());
        }

        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
        builder.ConfigureLogging(logging => logging.AddProvider(Log));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsDataDirectory)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
