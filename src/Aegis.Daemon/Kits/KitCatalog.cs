using Aegis.Core.Kits;
using Aegis.Core.Registry;
using Aegis.Daemon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Kits;

/// <summary>Installs kits (manifest + hooks executable) and hands out their parsed manifest and hooks runner.</summary>
internal sealed class KitCatalog(IDbContextFactory<AegisDbContext> db, IOptions<AegisOptions> options, ILoggerFactory loggers, TimeProvider time)
{
    public async Task<KitEntity> InstallAsync(string manifestYaml, byte[]? hooks, CancellationToken cancellationToken)
    {
        var manifest = KitManifest.Parse(manifestYaml);
        var directory = Path.Combine(options.Value.KitsDirectory, manifest.Name);
        Directory.CreateDirectory(directory);
        string? hooksPath = null;
        if (hooks is { Length: > 0 })
        {
            hooksPath = Path.Combine(directory, "hooks");
            var staging = hooksPath + ".new";
            await File.WriteAllBytesAsync(staging, hooks, cancellationToken);
            File.SetUnixFileMode(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.Move(staging, hooksPath, overwrite: true);
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var kit = await context.Kits.FindAsync([manifest.Name], cancellationToken);
        if (kit is null)
        {
            kit = new KitEntity { Name = manifest.Name, Version = manifest.Version, ManifestYaml = manifestYaml };
            context.Kits.Add(kit);
        }

        kit.Version = manifest.Version;
        kit.ManifestYaml = manifestYaml;
        kit.HooksPath = hooksPath;
        kit.InstalledAt = time.GetUtcNow();
        await context.SaveChangesAsync(cancellationToken);
        return kit;
    }

    public async Task<List<KitEntity>> ListAsync(CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Kits.AsNoTracking().OrderBy(k => k.Name).ToListAsync(cancellationToken);
    }

    public async Task<(KitEntity Entity, KitManifest Manifest)> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var kit = await context.Kits.AsNoTracking().SingleOrDefaultAsync(k => k.Name == name, cancellationToken)
            ?? throw ApiProblem.NotFound("Kit", name);
        return (kit, KitManifest.Parse(kit.ManifestYaml, $"kit {name}"));
    }

    public KitHooks Hooks(KitEntity kit) => new(new KitHooksOptions { Executable = kit.HooksPath }, loggers, time);
}
