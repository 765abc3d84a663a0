using Aegis.Core.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Infrastructure;

/// <summary>Creates the data dir, the registry (SQLite, WAL), the token file and the secrets key before
/// anything else starts, so the CLI finds the token as soon as the daemon listens.</summary>
internal sealed class RegistryInitializer(
    IDbContextFactory<AegisDbContext> db,
    IOptions<AegisOptions> options,
#pragma warning disable CS9113 // resolved for their side effect: the files exist from start-up on
    Auth.ManagementToken token,
    Aegis.Core.Secrets.SecretProtector secrets) : IHostedService
#pragma warning restore CS9113
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
