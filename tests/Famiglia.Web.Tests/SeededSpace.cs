using Famiglia.TestKit;

namespace Famiglia.Web.Tests;

/// <summary>One seeded famiglia-web for a test class (seeding 234 photos is the expensive part): groups feldmans
/// (demo) and rossis, with an exempt key for each. The Agent Data API suites run on each database provider:
/// <see cref="SqliteSpace"/> and <see cref="PostgresSpace"/>.</summary>
public abstract class SeededSpace : IAsyncLifetime
{
    public FamigliaWebFactory Web { get; private set; } = null!;

    public string FeldmansKey { get; private set; } = "";

    public string RossisKey { get; private set; } = "";

    public HttpClient Feldmans { get; private set; } = null!;

    public HttpClient Rossis { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Web = CreateWeb();
        await Web.SeedAsync();
        FeldmansKey = await Web.IssueKeyAsync("feldmans", "photo-agent");
        RossisKey = await Web.IssueKeyAsync("rossis", "rossi-agent");
        Feldmans = Web.CreateAgentClient(FeldmansKey);
        Rossis = Web.CreateAgentClient(RossisKey);
    }

    public virtual async Task DisposeAsync() => await Web.DisposeAsync();

    /// <summary>The EF Core provider famiglia-web must be running on.</summary>
    public abstract string Provider { get; }

    protected abstract FamigliaWebFactory CreateWeb();
}

/// <summary>famiglia-web on SQLite, the default: a file in its temp data dir.</summary>
public sealed class SqliteSpace : SeededSpace
{
    public override string Provider => "Microsoft.EntityFrameworkCore.Sqlite";

    protected override FamigliaWebFactory CreateWeb() => new();
}

/// <summary>famiglia-web on a real PostgreSQL of its own (Debian's package, started in a temp dir).</summary>
public sealed class PostgresSpace : SeededSpace
{
    private readonly PostgresFixture _postgres = new();

    public override async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    public override string Provider => "Npgsql.EntityFrameworkCore.PostgreSQL";

    protected override FamigliaWebFactory CreateWeb() => new(postgres: _postgres.NewDatabase());
}
