using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Aegis.Core.Instances;
using Aegis.Core.Kits;
using Aegis.Core.Registry;
using Aegis.Core.Secrets;
using Aegis.Daemon.Events;
using Aegis.Daemon.Infrastructure;
using Aegis.Daemon.Kits;
using Aegis.Sandbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Apps;

/// <summary>Registers apps (validated by the kit), keeps their secrets encrypted, publishes releases.</summary>
internal sealed partial class AppService(
    IDbContextFactory<AegisDbContext> db,
    KitCatalog kits,
    SecretProtector protector,
    EventHub events,
    ISandboxBackend backend,
    IOptions<AegisOptions> options,
    TimeProvider time,
    ILogger<AppService> logger)
{
    public async Task<AppEntity> CreateAsync(CreateAppRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Kit))
        {
            throw ApiProblem.Invalid("kit", "The kit is required.");
        }

        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw ApiProblem.Invalid("name", "The app name is required.");
        }

        var config = request.Config ?? JsonDocument.Parse("{}").RootElement;
        if (config.ValueKind != JsonValueKind.Object)
        {
            throw ApiProblem.Invalid("config", "The config must be a JSON object.");
        }

        ValidateSecretNames(request.Secrets);
        var (kit, manifest) = await kits.GetAsync(request.Kit, cancellationToken);
        RequiredSecrets.Check(kit.Name, manifest, RequiredSecrets.WithValues(request.Secrets), "this request has no value for them");
        var validation = await AegisTracing.StepAsync("aegis.kit.validate_config", () => kits.Hooks(kit).ValidateConfigAsync(config, cancellationToken), tag: AegisTracing.Kit, value: kit.Name);
        if (!validation.Ok)
        {
            throw new ApiProblem(StatusCodes.Status422UnprocessableEntity, "Config rejected by the kit",
                $"The {kit.Name} kit rejected the config: {string.Join("; ", validation.Errors)}", "config", validation.Errors);
        }

        var group = config.TryGetProperty("group", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString() : null;
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        if (group is not null && manifest.Resources.MaxAgentsPerGroup is { } max)
        {
            var count = await context.Apps.CountAsync(a => a.Kit == kit.Name && a.Group == group, cancellationToken);
            if (count >= max)
            {
                throw new ApiProblem(StatusCodes.Status409Conflict, "Too many agents in the group",
                    $"Group '{group}' already has {count} {kit.Name} apps; the kit allows {max} (resources.max_agents_per_group).", "config.group");
            }
        }

        var app = new AppEntity
        {
            Id = "app_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Kit = kit.Name,
            Name = request.Name,
            Group = group,
            ConfigJson = config.GetRawText(),
            CreatedAt = time.GetUtcNow(),
        };
        context.Apps.Add(app);
        foreach (var (name, value) in request.Secrets ?? new Dictionary<string, string>())
        {
            context.Secrets.Add(new SecretEntity { AppId = app.Id, Name = name, Ciphertext = protector.Protect(app.Id, name, value), UpdatedAt = app.CreatedAt });
        }

        await context.SaveChangesAsync(cancellationToken);
        Directory.CreateDirectory(Path.Combine(VolumeDirectory(app.Id), "workspace"));
        Directory.CreateDirectory(Path.Combine(VolumeDirectory(app.Id), "canvas"));
        await events.PublishAsync("app.created", app.Id, null, $"{app.Name} ({app.Kit})", cancellationToken);
        return app;
    }

    public async Task<AppEntity> GetAsync(string appId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Apps.AsNoTracking().SingleOrDefaultAsync(a => a.Id == appId, cancellationToken) ?? throw ApiProblem.NotFound("App", appId);
    }

    public async Task<List<AppEntity>> ListAsync(CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Apps.AsNoTracking().OrderBy(a => a.Name).ToListAsync(cancellationToken);
    }

    public async Task<List<string>> SecretNamesAsync(string appId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Secrets.Where(s => s.AppId == appId).Select(s => s.Name).OrderBy(n => n).ToListAsync(cancellationToken);
    }

    public async Task SetSecretsAsync(string appId, IReadOnlyDictionary<string, string> secrets, CancellationToken cancellationToken)
    {
        ValidateSecretNames(secrets);
        var app = await GetAsync(appId, cancellationToken);
        var (_, manifest) = await kits.GetAsync(app.Kit, cancellationToken);
        if (secrets.FirstOrDefault(s => s.Value.Length == 0 && RequiredSecrets.Requires(manifest, s.Key)) is { Key: { } empty })
        {
            throw ApiProblem.Invalid($"secrets.{empty}", $"{empty} is required by the {app.Kit} kit (secrets.required) and cannot be empty.");
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        foreach (var (name, value) in secrets)
        {
            var existing = await context.Secrets.FindAsync([appId, name], cancellationToken);
            if (existing is null)
            {
                context.Secrets.Add(new SecretEntity { AppId = appId, Name = name, Ciphertext = protector.Protect(appId, name, value), UpdatedAt = time.GetUtcNow() });
            }
            else
            {
                existing.Ciphertext = protector.Protect(appId, name, value);
                existing.UpdatedAt = time.GetUtcNow();
            }
        }

        await context.SaveChangesAsync(cancellationToken);
        await events.PublishAsync("app.secrets", appId, null, $"set {string.Join(", ", secrets.Keys)}", cancellationToken);
    }

    /// <summary>Removes one secret: the app's next boot no longer has it. 404 when the app or the secret does not exist;
    /// 409 for a secret the app's kit requires (it can be replaced, not removed).</summary>
    public async Task DeleteSecretAsync(string appId, string name, CancellationToken cancellationToken)
    {
        var app = await GetAsync(appId, cancellationToken);
        var (_, manifest) = await kits.GetAsync(app.Kit, cancellationToken);
        if (RequiredSecrets.Requires(manifest, name))
        {
            throw new ApiProblem(StatusCodes.Status409Conflict, "Secret required",
                $"The {app.Kit} kit requires {name} for every app (secrets.required): it can be replaced with a new value, not removed.", name);
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        if (await context.Secrets.Where(s => s.AppId == appId && s.Name == name).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            throw ApiProblem.NotFound("Secret", name);
        }

        await events.PublishAsync("app.secrets", appId, null, $"removed {name}", cancellationToken);
    }

    /// <summary>The app's secrets in clear, for the sandbox's environment only.</summary>
    public async Task<Dictionary<string, string>> RevealSecretsAsync(string appId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var rows = await context.Secrets.AsNoTracking().Where(s => s.AppId == appId).ToListAsync(cancellationToken);
        return rows.ToDictionary(s => s.Name, s => protector.Unprotect(appId, s.Name, s.Ciphertext));
    }

    public async Task SetServedAsync(string appId, bool served, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var app = await context.Apps.FindAsync([appId], cancellationToken) ?? throw ApiProblem.NotFound("App", appId);
        app.Served = served;
        await context.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Unpacks a .tar.gz of artifacts into a new immutable release and runs the kit's on_publish.</summary>
    public async Task<ReleaseEntity> PublishAsync(string appId, Stream archive, CancellationToken cancellationToken)
    {
        var app = await GetAsync(appId, cancellationToken);
        var (kit, _) = await kits.GetAsync(app.Kit, cancellationToken);
        var staging = Path.Combine(AppDirectory(appId), "releases", ".staging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        var upload = Path.Combine(staging, "..", Path.GetFileName(staging) + ".tar.gz");
        try
        {
            long size;
            string sha;
            await using (var file = File.Create(upload))
            {
                await CopyCappedAsync(archive, file, options.Value.MaxReleaseBytes, cancellationToken);
                size = file.Length;
            }

            await using (var read = File.OpenRead(upload))
            {
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, cancellationToken));
            }

            var artifacts = await ExtractAsync(upload, staging, cancellationToken);
            await using var context = await db.CreateDbContextAsync(cancellationToken);
            var version = (await context.Releases.Where(r => r.AppId == appId).MaxAsync(r => (int?)r.Version, cancellationToken) ?? 0) + 1;
            var directory = Path.Combine(AppDirectory(appId), "releases", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.Move(staging, directory);
            var release = new ReleaseEntity
            {
                Id = "rel_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
                AppId = appId,
                Version = version,
                ArtifactDirectory = directory,
                Sha256 = sha,
                SizeBytes = size,
                CreatedAt = time.GetUtcNow(),
            };
            context.Releases.Add(release);
            await context.SaveChangesAsync(cancellationToken);
            await kits.Hooks(kit).OnPublishAsync(new KitCanvas { AppId = app.Id, Name = app.Name, Config = JsonDocument.Parse(app.ConfigJson).RootElement },
                version.ToString(System.Globalization.CultureInfo.InvariantCulture), artifacts, cancellationToken);
            await events.PublishAsync("release.published", appId, null, $"version {version} ({artifacts.Count} files)", cancellationToken);
            await PruneReleasesAsync(appId, cancellationToken);
            return release;
        }
        finally
        {
            File.Delete(upload);
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>Retention: keeps the newest <see cref="AegisOptions.KeepReleases"/> releases of the app and any release a
    /// live instance uses; deletes the rest, artifacts included, and what the backend made of them (qemu: release disks).</summary>
    private async Task PruneReleasesAsync(string appId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var inUse = await context.Instances
            .Where(i => i.AppId == appId && i.ReleaseId != null
                && (i.State == InstanceState.Booting || i.State == InstanceState.Running || i.State == InstanceState.Paused))
            .Select(i => i.ReleaseId!).ToListAsync(cancellationToken);
        var old = await context.Releases.Where(r => r.AppId == appId).OrderByDescending(r => r.Version)
            .Skip(options.Value.KeepReleases).ToListAsync(cancellationToken);
        var pruned = old.Where(r => !inUse.Contains(r.Id)).ToList();
        if (pruned.Count == 0)
        {
            return;
        }

        context.Releases.RemoveRange(pruned);
        await context.SaveChangesAsync(cancellationToken);
        foreach (var release in pruned)
        {
            if (Directory.Exists(release.ArtifactDirectory))
            {
                Directory.Delete(release.ArtifactDirectory, recursive: true);
            }

            await ForgetReleaseAsync(release, cancellationToken);
        }

        await events.PublishAsync("release.pruned", appId, null,
            $"versions {string.Join(", ", pruned.Select(r => r.Version).Order())} (keeping {options.Value.KeepReleases})", cancellationToken);
    }

    public async Task<List<ReleaseEntity>> ReleasesAsync(string appId, CancellationToken cancellationToken)
    {
        await GetAsync(appId, cancellationToken);
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Releases.AsNoTracking().Where(r => r.AppId == appId).OrderByDescending(r => r.Version).ToListAsync(cancellationToken);
    }

    public async Task DeleteAsync(string appId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var app = await context.Apps.FindAsync([appId], cancellationToken) ?? throw ApiProblem.NotFound("App", appId);
        var releases = await context.Releases.Where(r => r.AppId == appId).ToListAsync(cancellationToken);
        context.Secrets.RemoveRange(context.Secrets.Where(s => s.AppId == appId));
        context.Releases.RemoveRange(releases);
        context.Apps.Remove(app);
        await context.SaveChangesAsync(cancellationToken);
        if (Directory.Exists(AppDirectory(appId)))
        {
            Directory.Delete(AppDirectory(appId), recursive: true);
        }

        foreach (var release in releases)
        {
            await ForgetReleaseAsync(release, cancellationToken);
        }

        await events.PublishAsync("app.deleted", appId, null, app.Name, cancellationToken);
    }

    public string AppDirectory(string appId) => Path.Combine(options.Value.AppsDirectory, appId);

    /// <summary>The backend drops what it made of a deleted release; a failure there is logged, the release is gone anyway.</summary>
    private async Task ForgetReleaseAsync(ReleaseEntity release, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var removed in await backend.ForgetReleaseAsync(release.ArtifactDirectory, cancellationToken))
            {
                ReleaseLeftoverRemoved(logger, release.Id, removed);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ForgetReleaseFailed(logger, release.Id, ex);
        }
    }

    [LoggerMessage(40, LogLevel.Information, "Release {ReleaseId} deleted: removed {Removed}")]
    private static partial void ReleaseLeftoverRemoved(ILogger logger, string releaseId, string removed);

    [LoggerMessage(41, LogLevel.Warning, "Release {ReleaseId} deleted, but the backend could not remove what it made of it")]
    private static partial void ForgetReleaseFailed(ILogger logger, string releaseId, Exception exception);

    /// <summary>The app's persistent volume: /workspace and /canvas inside the sandbox.</summary>
    public string VolumeDirectory(string appId) => Path.Combine(AppDirectory(appId), "volume");

    private static void ValidateSecretNames(IReadOnlyDictionary<string, string>? secrets)
    {
        foreach (var name in secrets?.Keys ?? [])
        {
            if (name.Length == 0 || name.Length > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(name[0]))
            {
                throw ApiProblem.Invalid($"secrets.{name}", $"'{name}' is not an environment variable name (letters, digits and _, not starting with a digit).");
            }
        }
    }

    private static async Task CopyCappedAsync(Stream from, Stream to, long max, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > max)
            {
                throw new ApiProblem(StatusCodes.Status413PayloadTooLarge, "Release too large", $"The archive is larger than {max} bytes.", "body");
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static async Task<List<KitArtifact>> ExtractAsync(string archivePath, string destination, CancellationToken cancellationToken)
    {
        var artifacts = new List<KitArtifact>();
        var root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        try
        {
            await using var file = File.OpenRead(archivePath);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            await using var tar = new TarReader(gzip);
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                var target = Path.GetFullPath(Path.Combine(destination, entry.Name));
                if (!target.StartsWith(root, StringComparison.Ordinal) && target + Path.DirectorySeparatorChar != root)
                {
                    throw ApiProblem.Invalid("body", $"The archive entry '{entry.Name}' points outside the release.");
                }

                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(target);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        await entry.ExtractToFileAsync(target, overwrite: true, cancellationToken);
                        await using (var written = File.OpenRead(target))
                        {
                            artifacts.Add(new KitArtifact
                            {
                                Path = Path.GetRelativePath(destination, target),
                                SizeBytes = written.Length,
                                Sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(written, cancellationToken)),
                            });
                        }

                        break;
                    default:
                        throw ApiProblem.Invalid("body", $"The archive entry '{entry.Name}' is a {entry.EntryType}; only files and directories are allowed.");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw ApiProblem.Invalid("body", $"The release must be a .tar.gz archive: {ex.Message}");
        }

        return artifacts;
    }
}
