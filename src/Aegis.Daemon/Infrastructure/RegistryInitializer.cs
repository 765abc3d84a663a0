using Aegis.Core.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Infrastructure;

/// <summary>Creates the data dir and the registry (SQLite, WAL) before anything else starts.</summary>
internal sealed class RegistryInitializer(IDbContextFactory<AegisDbContext> db, IOptions<AegisOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Value.DataDirectory);
        File.SetUnixFileMode(options.Value.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        await context.Database.EnsureCreatedAsync(cancellationToken);
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
