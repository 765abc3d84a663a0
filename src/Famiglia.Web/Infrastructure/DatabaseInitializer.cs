using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Infrastructure;

/// <summary>Creates the data dir and the database (SQLite, WAL) with its full-text index before the server listens.</summary>
internal sealed class DatabaseInitializer(IDbContextFactory<FamigliaDbContext> db, IOptions<FamigliaOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => InitializeAsync(cancellationToken);

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(options.Value.DataDirectory);
        Directory.CreateDirectory(options.Value.MediaDirectory);
        await using var context = await db.CreateDbContextAsync(cancellationToken);

        // Schema by EnsureCreated until migrations exist (SQLite and PostgreSQL sets are still to do).
        await context.Database.EnsureCreatedAsync(cancellationToken);
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        await FileSearch.EnsureIndexAsync(context, cancellationToken);
        await PostCounts.EnsureAsync(context, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
