using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Famiglia.Web.Infrastructure;

// For `dotnet ef migrations add NAME --context SqliteFamigliaDbContext --output-dir Migrations/Sqlite` (and the
// Postgres one): the tools need a context of each provider without starting famiglia-web. No database is opened.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteFamigliaDbContext>
{
    public SqliteFamigliaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteFamigliaDbContext>().UseSqlite("Data Source=famiglia.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresFamigliaDbContext>
{
    public PostgresFamigliaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresFamigliaDbContext>().UseNpgsql("Host=localhost;Database=famiglia").Options);
}
