using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Aegis.Core.Instances;
using Aegis.Core.Kits;
using Aegis.Core.Registry;
using Aegis.Daemon.Apps;
using Aegis.Daemon.Infrastructure;
using Aegis.Daemon.Router;
using Aegis.Daemon.Snapshots;
using Aegis.Sandbox;
using Microsoft.EntityFrameworkCore;

namespace Aegis.Daemon.Instances;

/// <summary>Booting: the environment (secrets, render_env), the sandbox spec from the kit, the sandbox (restored from
/// the app's snapshot or started afresh), and the health wait.</summary>
internal sealed partial class InstanceManager
{
    /// <summary>A new instance of the app, running, and how it started: <c>restore</c> (continues the app's snapshot),
    /// <c>pool</c> (a pooled sandbox claimed) or <c>cold</c>.</summary>
    private async Task<(InstanceEntity Instance, string Path)> BootAsync(AppEntity app, string? releaseId, CancellationToken cancellationToken)
    {
        var (kit, manifest) = await kits.GetAsync(app.Kit, cancellationToken);
        RequiredSecrets.Check(kit.Name, manifest, await apps.SecretNamesAsync(app.Id, cancellationToken), $"app {app.Id} has no value for them, so it is not booted");
        var config = JsonDocument.Parse(app.ConfigJson).RootElement;
        var command = Command(config, images.IsInstalled(manifest.Image.Base));
        var idlePolicy = IdlePolicy.From(config, idle.Value);
        var release = await FindReleaseAsync(app.Id, releaseId, cancellationToken);
        await _quotaGate.WaitAsync(cancellationToken);
        InstanceEntity instance;
        IPreparedSandbox? pooled = null;
        try
        {
            await CheckQuotasAsync(manifest.Resources.Memory, cancellationToken);

            // A snapshot continues the app where it was; the pool only saves a boot.
            pooled = await snapshots.FindNewestAsync(app.Id, cancellationToken) is null ? TakePooled(app.Kit) : null;
            if (pooled is null)
            {
                await MakeRoomInPoolAsync(manifest.Resources.Memory, cancellationToken);
            }

            instance = await CreateInstanceAsync(app, release, pooled?.Id ?? NewInstanceId(), cancellationToken);
        }
        catch
        {
            if (pooled is not null)
            {
                await DiscardPooledAsync(pooled);
            }

            throw;
        }
        finally
        {
            _quotaGate.Release();
        }

        return await StartInstanceAsync(app, kit, manifest, config, command, idlePolicy, release, instance, pooled, cancellationToken);
    }

    private static string NewInstanceId() => "inst_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private async Task<InstanceEntity> CreateInstanceAsync(AppEntity app, ReleaseEntity? release, string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var instance = new InstanceEntity
        {
            Id = id,
            AppId = app.Id,
            ReleaseId = release?.Id,
            State = InstanceState.Booting,
            Backend = backend.Name,
            CreatedAt = now,
            LastActivityAt = now,
        };
        await using (var context = await db.CreateDbContextAsync(cancellationToken))
        {
            context.Instances.Add(instance);
            await context.SaveChangesAsync(cancellationToken);
        }

        metrics.Track(instance.Id, InstanceState.Booting);
        return instance;
    }

    /// <summary>Refuses a boot that would take the host past <see cref="HostQuotas"/>. Callers hold the quota gate, so the
    /// check and the new instance's row are one step for concurrent boots.</summary>
    private async Task CheckQuotasAsync(long memory, CancellationToken cancellationToken)
    {
        var quotas = options.Value.Quotas;
        if (quotas.MaxInstances is null && quotas.MaxMemory is null)
        {
            return;
        }

        var liveKits = await LiveKitsAsync(cancellationToken);
        if (quotas.MaxInstances is { } maxInstances && liveKits.Count >= maxInstances)
        {
            throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, "Host at capacity",
                $"{liveKits.Count} instances are booting, running or paused; this host allows {maxInstances} (Aegis:Quotas:MaxInstances). Terminate one or raise the quota.");
        }

        if (quotas.MaxMemory is { } maxMemoryText && Aegis.Core.Kits.ByteSize.TryParse(maxMemoryText, out var maxMemory))
        {
            long reserved = 0;
            foreach (var kitName in liveKits)
            {
                reserved += (await kits.GetAsync(kitName, cancellationToken)).Manifest.Resources.Memory;
            }

            if (reserved + memory > maxMemory)
            {
                throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, "Host at capacity",
                    $"Live instances reserve {reserved / (1024 * 1024)} MiB and this one needs {memory / (1024 * 1024)} MiB; this host allows {maxMemory / (1024 * 1024)} MiB (Aegis:Quotas:MaxMemory).");
            }
        }
    }

    /// <summary>The kit of every booting, running or paused instance.</summary>
    private async Task<List<string>> LiveKitsAsync(CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Instances.AsNoTracking()
            .Where(i => i.State == InstanceState.Booting || i.State == InstanceState.Running || i.State == InstanceState.Paused)
            .Join(context.Apps, i => i.AppId, a => a.Id, (i, a) => a.Kit)
            .ToListAsync(cancellationToken);
    }

    private async Task<(InstanceEntity Instance, string Path)> StartInstanceAsync(
        AppEntity app, KitEntity kit, KitManifest manifest, JsonElement config, string[]? command, IdlePolicy idlePolicy,
        ReleaseEntity? release, InstanceEntity instance, IPreparedSandbox? pooled, CancellationToken cancellationToken)
    {
        var detail = string.Join("; ", new[] { release is null ? null : $"release {release.Version}", pooled is null ? null : "from the warm pool" }.OfType<string>());
        await events.PublishAsync("instance.booting", app.Id, instance.Id, detail.Length == 0 ? null : detail, cancellationToken);
        var boot = Stopwatch.StartNew();
        ISandbox? claimed = null;
        try
        {
            var image = await AegisTracing.StepAsync("aegis.image.load", () => images.LoadAsync(manifest.Image.Base, cancellationToken), instance.Id);
            command ??= image is { Entrypoint.Count: > 0 }
                ? [.. image.Entrypoint]
                : throw new SandboxException($"the app's config has no command and image {manifest.Image.Base} has no entrypoint");
            var secrets = await apps.RevealSecretsAsync(app.Id, cancellationToken);
            var env = new Dictionary<string, string>
            {
                ["AEGIS_APP_ID"] = app.Id,
                ["AEGIS_INSTANCE_ID"] = instance.Id,
            };
            if (release is not null)
            {
                env["AEGIS_RELEASE_ID"] = release.Id;
                env["AEGIS_RELEASE_VERSION"] = release.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var canvas = new KitCanvas { AppId = app.Id, Name = app.Name, Config = config };
            var rendered = await AegisTracing.StepAsync("aegis.kit.render_env", () => kits.Hooks(kit).RenderEnvAsync(canvas, secrets, env, cancellationToken), instance.Id);
            var environment = new Dictionary<string, string>(rendered);
            foreach (var (name, value) in secrets)
            {
                environment[name] = value;
            }

            var volume = apps.VolumeDirectory(app.Id);
            var workspace = Directory.CreateDirectory(Path.Combine(volume, "workspace")).FullName;
            var canvasDir = Directory.CreateDirectory(Path.Combine(volume, "canvas")).FullName;
            var exposed = manifest.Routing?.Expose.FirstOrDefault();
            var template = await TemplateAsync(instance.Id, manifest, image, cancellationToken);
            var spec = new SandboxSpec(instance.Id, app.Id, command[0], workspace)
            {
                Arguments = command[1..],
                Environment = environment,
                Image = template.Image,
                CanvasDirectory = canvasDir,
                ReleaseDirectory = release?.ArtifactDirectory,
                InstanceLayerDirectory = release is null ? null : InstanceLayer(app.Id, volume, release.Id),
                Resources = template.Resources,
                Network = template.Network,
                InternalHosts = template.InternalHosts,
            };
            claimed = pooled is null ? null : await ClaimPooledAsync(app.Kit, pooled, spec, cancellationToken);
            var (sandbox, restoredFrom) = claimed is not null ? (claimed, null) : await StartOrRestoreAsync(instance, spec, volume, cancellationToken);
            _sandboxes[instance.Id] = sandbox;
            _environmentHashes[instance.Id] = restoredFrom?.EnvironmentHash ?? SnapshotFingerprint.Environment(environment);
            _ = WatchExitAsync(instance.Id, sandbox);
            var healthCheck = HealthCheck(config, manifest);
            await AegisTracing.StepAsync("aegis.health.wait", async () =>
            {
                await WaitHealthyAsync(sandbox, healthCheck, cancellationToken);
                return true;
            }, instance.Id, AegisTracing.HealthCheck, healthCheck);
            BootCompleted(logger, instance.Id, boot.Elapsed.TotalMilliseconds);
            var running = await ChangeStateAsync(instance.Id, InstanceState.Running, null, i =>
            {
                i.ReadyAt = time.GetUtcNow();
                i.Address = sandbox.Endpoint.ToString();
                i.Pid = sandbox.Pid;
            }, cancellationToken);
            routes.Add(new InstanceRoute(app.Id, instance.Id, $"http://{sandbox.Endpoint}/", exposed?.Ui ?? false, manifest.Routing?.WebSocket ?? false, idlePolicy, time.GetUtcNow()));
            Monitor(app.Id, instance.Id, sandbox, healthCheck);
            return (running, restoredFrom is not null ? "restore" : claimed is not null ? "pool" : "cold");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _environmentHashes.TryRemove(instance.Id, out _);
            if (_sandboxes.TryRemove(instance.Id, out var sandbox))
            {
                _terminating[instance.Id] = "boot failed";
                await sandbox.TerminateAsync(TimeSpan.Zero, CancellationToken.None);
                await sandbox.DisposeAsync();
            }

            var reason = ex is ApiProblem or KitHookException or SandboxException or TimeoutException ? ex.Message : $"boot failed: {ex.GetType().Name}";
            try
            {
                await ChangeStateAsync(instance.Id, InstanceState.Error, reason, i => i.EndedAt = time.GetUtcNow(), CancellationToken.None);
            }
            catch (InvalidInstanceTransitionException transition) when (transition.From == InstanceState.Error)
            {
                // The exit watcher saw the sandbox die first and recorded the error with the exit code; the caller
                // still gets the boot failure, not this race.
            }

            if (ex is ApiProblem)
            {
                throw;
            }

            throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, "Boot failed", $"Instance {instance.Id} of {app.Id} failed to boot: {reason}");
        }
        finally
        {
            if (pooled is not null && claimed is null)
            {
                // Failed or cancelled before the claim took (env, image), or the claim failed: the pooled sandbox was
                // never the app's, and it is out of the pool. (A failed claim discarded it already; again is a no-op.)
                await DiscardPooledAsync(pooled);
            }
        }
    }

    /// <summary>
    /// The app's instance layer over <paramref name="releaseId"/> (what its instances changed in <c>/agent</c>, kept
    /// across terminate like the workspace, AEGIS.md's bwrap snapshot); layers over the app's other releases are stale and
    /// go (a layer is only meaningful over the release it was written on).
    /// </summary>
    private string InstanceLayer(string appId, string volume, string releaseId)
    {
        var layers = Path.Combine(volume, "layers");
        if (Directory.Exists(layers))
        {
            foreach (var stale in Directory.EnumerateDirectories(layers).Where(d => Path.GetFileName(d) != releaseId))
            {
                Directory.Delete(stale, recursive: true);
                LayerDropped(logger, appId, Path.GetFileName(stale));
            }
        }

        return Path.Combine(layers, releaseId);
    }

    /// <summary>Each manifest <c>internal_hosts</c> entry with the host-side target configuration gives its name.</summary>
    private async Task<IReadOnlyList<InternalHost>> InternalHostsAsync(KitNetworking networking, CancellationToken cancellationToken)
    {
        var hosts = new List<InternalHost>();
        foreach (var entry in networking.InternalHosts)
        {
            var target = options.Value.InternalHosts.GetValueOrDefault(entry.Host, options.Value.DefaultInternalHostTarget);
            if (!IPAddress.TryParse(target, out var address))
            {
                var addresses = await Dns.GetHostAddressesAsync(target, AddressFamily.InterNetwork, cancellationToken);
                address = addresses.FirstOrDefault()
                    ?? throw new SandboxException($"internal host {entry.Host} leads to {target}, which does not resolve to an IPv4 address");
            }

            var port = options.Value.InternalHostPorts.GetValueOrDefault(entry.Host)?.GetValueOrDefault(entry.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                ?? entry.Port;
            hosts.Add(new InternalHost(entry.Host, entry.Port, new IPEndPoint(address, port)));
        }

        return hosts;
    }

    private async Task WaitHealthyAsync(ISandbox sandbox, string check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.BootTimeout);
        while (true)
        {
            if (sandbox.Exited.IsCompleted)
            {
                var exit = await sandbox.Exited;
                throw new SandboxException($"the sandbox exited during boot ({exit.ReasonCode}, code {exit.ExitCode}); see its log");
            }

            if (check == "process")
            {
                return;
            }

            try
            {
                using var probe = new TcpClient();
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
                var connect = probe.ConnectAsync(sandbox.Endpoint, attempt.Token).AsTask();

                // A sandbox that exits while a connect waits for an answer (a full backlog drops SYNs) takes its
                // network with it; the SYN's retransmissions then meet the host's blackhole route for the sandbox
                // range and nothing ever answers, so the connect would wait until the boot timeout and report the
                // port rather than the exit. The exit ends the attempt instead.
                if (await Task.WhenAny(connect, sandbox.Exited) != connect)
                {
                    await attempt.CancelAsync();
                    await connect.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    continue;
                }

                await connect;

                // Once the sandbox's network is gone its address leads out of the host's default route, where
                // something else may accept: a connect only counts while the sandbox still lives.
                if (!sandbox.Exited.IsCompleted)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"port {sandbox.Endpoint.Port} did not accept connections within {options.Value.BootTimeout}");
            }

            // Short: a booting sandbox's port is refused at once until it listens, and every ms here is the user's.
            await Task.Delay(TimeSpan.FromMilliseconds(5), time, timeout.Token);
        }
    }

    /// <summary><c>config.command</c>; null when the config has none and the kit's image is installed, whose entrypoint then runs.</summary>
    private static string[]? Command(JsonElement config, bool imageInstalled)
    {
        var present = config.TryGetProperty("command", out var command) && command.ValueKind != JsonValueKind.Null;
        if (!present && imageInstalled)
        {
            return null;
        }

        if (!present || command.ValueKind != JsonValueKind.Array || command.GetArrayLength() == 0
            || command.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String))
        {
            throw ApiProblem.Invalid("config.command", "The app's config needs \"command\": a non-empty array of strings, the program the sandbox runs "
                + "(it may be left out only when the kit's image is installed in Aegis:Images: its entrypoint runs then).");
        }

        return command.EnumerateArray().Select(a => a.GetString()!).ToArray();
    }

    /// <summary>"tcp" (the exposed port accepts connections) when the kit exposes a port, else "process";
    /// <c>config.healthCheck</c> overrides.</summary>
    private static string HealthCheck(JsonElement config, KitManifest manifest) =>
        config.TryGetProperty("healthCheck", out var h) && h.GetString() is "tcp" or "process"
            ? h.GetString()!
            : manifest.Routing?.Expose.Count > 0 ? "tcp" : "process";
}
