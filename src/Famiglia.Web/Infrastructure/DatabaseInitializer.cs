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
        await RefuseOutdatedSchemaAsync(context, cancellationToken);
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        await FileSearch.EnsureIndexAsync(context, cancellationToken);
        await PostCounts.EnsureAsync(context, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// EnsureCreated does not change an existing database, so one made by an older famiglia-web lacks newer columns and
    /// every request would fail with "no such column". Say so at startup, with the way out, instead.
    /// </summary>
    private async Task RefuseOutdatedSchemaAsync(FamigliaDbContext context, CancellationToken cancellationToken)
    {
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        var missing = new List<string>();
        foreach (var entity in context.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is not { } table || entity.GetViewName() is not null)
            {
                continue;
            }

            var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT name FROM pragma_table_info('{table.Replace("'", "''", StringComparison.Ordinal)}')";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    columns.Add(reader.GetString(0));
                }
            }

            var store = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, entity.GetSchema());
            missing.AddRange(entity.GetProperties()
                .Select(p => p.GetColumnName(store))
                .OfType<string>()
                .Where(column => !columns.Contains(column))
                .Select(column => $"{table}.{column}"));
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The database {options.Value.DatabasePath} was made by an older famiglia-web and lacks {string.Join(", ", missing.Distinct())}. " +
                "There are no migrations yet: move it away (e.g. rm -rf .famiglia/famiglia with ./famiglia down first) and start again to recreate it with the demo data.");
        }
    }
}
