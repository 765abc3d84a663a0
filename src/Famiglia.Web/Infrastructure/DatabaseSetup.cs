using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Infrastructure;

/// <summary>
/// SQLite (a file under the data dir) unless <c>ConnectionStrings:Famiglia</c> is set, then PostgreSQL. Either way the
/// code asks for <see cref="IDbContextFactory{FamigliaDbContext}"/>; behind it is the provider's own context type, whose
/// migrations the initializer applies.
/// </summary>
internal static class DatabaseSetup
{
    public const string ConnectionStringName = "Famiglia";

    public static WebApplicationBuilder AddFamigliaDatabase(this WebApplicationBuilder builder)
    {
        var postgres = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            builder.Services.AddPooledDbContextFactory<PostgresFamigliaDbContext>(db => db.UseNpgsql(postgres));
            builder.Services.AddSingleton<IDbContextFactory<FamigliaDbContext>, FactoryOf<PostgresFamigliaDbContext>>();
        }
        else
        {
            builder.Services.AddPooledDbContextFactory<SqliteFamigliaDbContext>((services, db) =>
                db.UseSqlite(SqliteConnectionString(services.GetRequiredService<IOptions<FamigliaOptions>>().Value)));
            builder.Services.AddSingleton<IDbContextFactory<FamigliaDbContext>, FactoryOf<SqliteFamigliaDbContext>>();
        }

        return builder;
    }

    public static string SqliteConnectionString(FamigliaOptions options) => $"Data Source={options.DatabasePath};Pooling=True";

    /// <summary>Hands out the provider's contexts as <see cref="FamigliaDbContext"/>.</summary>
    private sealed class FactoryOf<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<FamigliaDbContext>
        where TContext : FamigliaDbContext
    {
        public FamigliaDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<FamigliaDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }
}
