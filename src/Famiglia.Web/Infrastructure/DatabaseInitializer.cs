using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Infrastructure;

/// <summary>Creates the data dir and brings the database (SQLite or PostgreSQL) to the current schema by its migrations
/// before the server listens.</summary>
internal sealed partial class DatabaseInitializer(
    IDbContextFactory<FamigliaDbContext> db, IOptions<FamigliaOptions> options, SecretBox secrets, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => InitializeAsync(cancellationToken);

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(options.Value.DataDirectory);
        Directory.CreateDirectory(options.Value.MediaDirectory);
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        await RefusePreMigrationDatabaseAsync(context, cancellationToken);

        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migration(s) to the {Provider} database: {Migrations}",
                pending.Count, ProviderName(context), string.Join(", ", pending));
            await context.Database.MigrateAsync(cancellationToken);
        }

        if (context.Database.IsSqlite())
        {
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await SealLegacySecretsAsync(context, cancellationToken);
    }

    /// <summary>Seals the secrets a famiglia-web from before <see cref="SecretBox"/> stored in clear.</summary>
    private async Task SealLegacySecretsAsync(FamigliaDbContext context, CancellationToken cancellationToken)
    {
        var users = await context.Users.Where(u => u.XmppPassword != null && !u.XmppPassword.StartsWith(SecretBox.Prefix)).ToListAsync(cancellationToken);
        foreach (var user in users)
        {
            user.XmppPassword = secrets.Seal(user.XmppPassword!);
        }

        var agents = await context.AgentConfigs
            .Where(a => !a.XmppPassword.StartsWith(SecretBox.Prefix) || (a.Env != null && !a.Env.StartsWith(SecretBox.Prefix)))
            .ToListAsync(cancellationToken);
        foreach (var agent in agents)
        {
            agent.XmppPassword = secrets.Seal(secrets.Open(agent.XmppPassword));
            agent.Env = agent.Env is null ? null : secrets.Seal(secrets.Open(agent.Env));
        }

        if (users.Count + agents.Count > 0)
        {
            await context.SaveChangesAsync(cancellationToken);
            Sealed(logger, users.Count, agents.Count);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Sealed the secrets stored in clear of {Users} users and {Agents} agents")]
    private static partial void Sealed(ILogger logger, int users, int agents);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string ProviderName(FamigliaDbContext context) => context.Database.IsNpgsql() ? "PostgreSQL" : "SQLite";

    /// <summary>
    /// famiglia-web made its schema with EnsureCreated before it had migrations; such a database has tables but no
    /// migrations history, and migrating it would fail half-way on "table already exists". Say so, with the way out.
    /// </summary>
    private async Task RefusePreMigrationDatabaseAsync(FamigliaDbContext context, CancellationToken cancellationToken)
    {
        var creator = context.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken)
            || !await creator.HasTablesAsync(cancellationToken)
            || (await context.Database.GetAppliedMigrationsAsync(cancellationToken)).Any())
        {
            return;
        }

        var where = context.Database.IsSqlite() ? options.Value.DatabasePath : "the PostgreSQL database";
        throw new InvalidOperationException(
            $"The database {where} has tables but no migrations history: it was made by an older famiglia-web (before migrations). " +
            "Move it away (e.g. ./famiglia down, then rm -rf .famiglia/famiglia) and start again to recreate it with the demo data.");
    }
}
