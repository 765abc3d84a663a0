using System.Net;
using Aegis.Core.Kits;
using Aegis.Daemon.Images;
using Aegis.Daemon.Infrastructure;
using Aegis.Sandbox;

namespace Aegis.Daemon.Instances;

/// <summary>
/// The warm pool (<see cref="AegisOptions.WarmPool"/>): per kit, sandboxes started from the kit's template before anyone
/// asks (AEGIS.md's base tier, "kit image booted to ready"). A boot claims one and gives it the app's env, workspace and
/// release instead of starting a sandbox; a background loop refills the pool. A pooled sandbox's id is the id its
/// instance will have, and a marker file per pooled sandbox lets a restarted aegisd remove what a killed one left.
/// </summary>
internal sealed partial class InstanceManager
{
    private readonly Dictionary<string, List<IPreparedSandbox>> _pool = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _poolSignal = new(0);
    private CancellationTokenSource? _poolStop;
    private long _lastClaim;
    private Task? _poolLoop;

    private bool PoolEnabled => backend.SupportsPreparation && options.Value.WarmPool.Any(p => p.Value > 0);

    /// <summary>Pooled sandboxes right now, by kit.</summary>
    internal IReadOnlyDictionary<string, int> PoolSizes()
    {
        lock (_pool)
        {
            return _pool.ToDictionary(p => p.Key, p => p.Value.Count, StringComparer.Ordinal);
        }
    }

    /// <summary>A kit was installed or replaced (or a claim found its template stale): its pooled sandboxes may be of
    /// the old template, so they go, and the pool fills with the new one.</summary>
    public async Task KitInstalledAsync(string kit)
    {
        List<IPreparedSandbox> stale;
        lock (_pool)
        {
            stale = _pool.Remove(kit, out var list) ? list : [];
        }

        foreach (var prepared in stale)
        {
            await DiscardPooledAsync(prepared);
        }

        _poolSignal.Release();
    }

    /// <summary><c>GET /v1/pool</c>: per configured kit, the pool's target size and the ids of the sandboxes ready in it
    /// (each the id its instance will have).</summary>
    public List<PoolStatusDto> PoolStatus()
    {
        lock (_pool)
        {
            return [.. options.Value.WarmPool.Where(p => p.Value > 0).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PoolStatusDto(
                p.Key,
                backend.SupportsPreparation ? p.Value : 0,
                _pool.TryGetValue(p.Key, out var list) ? [.. list.Where(s => !s.Exited.IsCompleted).Select(s => s.Id)] : []))];
        }
    }

    private async Task StartPoolAsync(CancellationToken cancellationToken)
    {
        var markers = options.Value.PoolDirectory;
        if (Directory.Exists(markers))
        {
            foreach (var marker in Directory.EnumerateFiles(markers))
            {
                var id = Path.GetFileName(marker);
                foreach (var removed in await backend.RemoveLeftoversAsync(id, cancellationToken))
                {
                    LeftoverRemoved(logger, id, removed);
                }

                File.Delete(marker);
            }
        }

        metrics.PoolSizes = PoolSizes;
        if (PoolEnabled)
        {
            _poolStop = new CancellationTokenSource();
            _poolLoop = Task.Run(() => FillPoolAsync(_poolStop.Token), CancellationToken.None);
        }
    }

    private async Task StopPoolAsync()
    {
        if (_poolStop is not null)
        {
            await _poolStop.CancelAsync();
            await (_poolLoop ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        List<IPreparedSandbox> pooled;
        lock (_pool)
        {
            pooled = [.. _pool.Values.SelectMany(p => p)];
            _pool.Clear();
        }

        foreach (var prepared in pooled)
        {
            await DiscardPooledAsync(prepared);
        }
    }

    /// <summary>Keeps every configured kit's pool full; after a failure waits <see cref="AegisOptions.WarmPoolRetry"/>.</summary>
    private async Task FillPoolAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var retry = false;
            foreach (var (kit, size) in options.Value.WarmPool.Where(p => p.Value > 0))
            {
                while (!stop.IsCancellationRequested && PoolSizes().GetValueOrDefault(kit) < size)
                {
                    try
                    {
                        if (!await PoolHasRoomAsync(kit, stop))
                        {
                            break;
                        }

                        var sinceClaim = time.GetElapsedTime(Interlocked.Read(ref _lastClaim));
                        if (sinceClaim < options.Value.WarmPoolRefillDelay)
                        {
                            await Task.Delay(options.Value.WarmPoolRefillDelay - sinceClaim, time, stop);
                        }

                        var prepared = await PrepareAsync(kit, stop);
                        lock (_pool)
                        {
                            (_pool.TryGetValue(kit, out var list) ? list : _pool[kit] = []).Add(prepared);
                        }

                        _ = WatchPooledAsync(kit, prepared);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (ApiProblem problem) when (problem.Status == StatusCodes.Status404NotFound)
                    {
                        // The kit is not installed (yet): nothing to pool until it is.
                        PoolKitMissing(logger, kit);
                        retry = true;
                        break;
                    }
                    catch (Exception ex)
                    {
                        PoolFillFailed(logger, kit, ex);
                        retry = true;
                        break;
                    }
                }
            }

            try
            {
                if (retry)
                {
                    await _poolSignal.WaitAsync(options.Value.WarmPoolRetry, stop);
                }
                else
                {
                    await _poolSignal.WaitAsync(stop);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<IPreparedSandbox> PrepareAsync(string kit, CancellationToken cancellationToken)
    {
        var (_, manifest) = await kits.GetAsync(kit, cancellationToken);
        var id = NewInstanceId();
        var template = await TemplateAsync(id, manifest, await images.LoadAsync(manifest.Image.Base, cancellationToken), cancellationToken);
        Directory.CreateDirectory(options.Value.PoolDirectory);
        var marker = Path.Combine(options.Value.PoolDirectory, id);
        await File.WriteAllTextAsync(marker, kit, cancellationToken);
        try
        {
            var prepared = await AegisTracing.StepAsync("aegis.pool.prepare", () => backend.PrepareAsync(template, cancellationToken), id, AegisTracing.Kit, kit);
            PoolPrepared(logger, kit, id);
            return prepared;
        }
        catch
        {
            File.Delete(marker);
            throw;
        }
    }

    /// <summary>Everything of a sandbox that is the kit's: what a pooled sandbox is started with and a claim must match.</summary>
    private async Task<SandboxTemplate> TemplateAsync(string instanceId, KitManifest manifest, BootImage? image, CancellationToken cancellationToken)
    {
        var exposePort = manifest.Routing?.Expose.FirstOrDefault()?.Port ?? 80;
        return new SandboxTemplate(instanceId)
        {
            Image = image?.Image,
            Resources = new SandboxResources(manifest.Resources.Memory, manifest.Resources.Cpu),
            Network = new SandboxNetwork(manifest.Networking.Egress == EgressPolicy.Allow ? SandboxEgress.Allow : SandboxEgress.Deny, exposePort),
            InternalHosts = await InternalHostsAsync(manifest.Networking, cancellationToken),
        };
    }

    /// <summary>A pooled sandbox that ends before it is claimed leaves the pool, which refills.</summary>
    private async Task WatchPooledAsync(string kit, IPreparedSandbox prepared)
    {
        var exit = await prepared.Exited;
        if (RemovePooled(kit, prepared))
        {
            PooledExited(logger, kit, prepared.Id, exit.ReasonCode, exit.ExitCode);
            await DiscardPooledAsync(prepared);
            _poolSignal.Release();
        }
    }

    private bool RemovePooled(string kit, IPreparedSandbox prepared)
    {
        lock (_pool)
        {
            return _pool.TryGetValue(kit, out var list) && list.Remove(prepared);
        }
    }

    /// <summary>Takes a live pooled sandbox of <paramref name="kit"/> out of the pool, or null; the pool refills.</summary>
    private IPreparedSandbox? TakePooled(string kit)
    {
        if (!PoolEnabled)
        {
            return null;
        }

        IPreparedSandbox? taken;
        lock (_pool)
        {
            taken = _pool.TryGetValue(kit, out var list) ? list.FirstOrDefault(p => !p.Exited.IsCompleted) : null;
            if (taken is not null)
            {
                list!.Remove(taken);
            }
        }

        if (taken is not null)
        {
            Interlocked.Exchange(ref _lastClaim, time.GetTimestamp());
        }

        if (options.Value.WarmPool.GetValueOrDefault(kit) > 0)
        {
            metrics.PoolClaim(kit, taken is null ? "empty" : "claimed");
            _poolSignal.Release();
        }

        return taken;
    }

    /// <summary>
    /// Gives <paramref name="prepared"/> the app's spec. When the claim fails (the kit or image changed since the
    /// sandbox was pooled, or the sandbox died) it is discarded, with the kit's other pooled sandboxes if the template
    /// no longer fits, and null says: boot afresh (same instance id; the discarded sandbox is gone by then).
    /// </summary>
    private async Task<ISandbox?> ClaimPooledAsync(string kit, IPreparedSandbox prepared, SandboxSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            var sandbox = await AegisTracing.StepAsync("aegis.pool.claim", () => prepared.ClaimAsync(spec, cancellationToken), spec.InstanceId, AegisTracing.Kit, kit);
            File.Delete(Path.Combine(options.Value.PoolDirectory, prepared.Id));
            return sandbox;
        }
        catch (Exception ex) when (ex is ArgumentException or SandboxException)
        {
            PoolClaimFailed(logger, kit, prepared.Id, ex.Message);
            metrics.PoolClaim(kit, "failed");
            await DiscardPooledAsync(prepared);
            if (ex is ArgumentException)
            {
                // The template no longer fits the kit: the rest of its pool is as stale.
                await KitInstalledAsync(kit);
            }

            return null;
        }
    }

    private async Task DiscardPooledAsync(IPreparedSandbox prepared)
    {
        try
        {
            await prepared.DisposeAsync();
        }
        catch (Exception ex) when (ex is SandboxException or IOException or InvalidOperationException)
        {
            PoolFillFailed(logger, "(discard)", ex);
        }

        File.Delete(Path.Combine(options.Value.PoolDirectory, prepared.Id));
    }

    /// <summary>Whether one more pooled sandbox of <paramref name="kit"/> stays within the host quotas, counting the
    /// live instances and everything pooled already.</summary>
    private async Task<bool> PoolHasRoomAsync(string kit, CancellationToken cancellationToken)
    {
        var quotas = options.Value.Quotas;
        if (quotas.MaxInstances is null && quotas.MaxMemory is null)
        {
            return true;
        }

        var memory = (await kits.GetAsync(kit, cancellationToken)).Manifest.Resources.Memory;
        return FitsQuotas(await LiveReservationAsync(cancellationToken), memory);
    }

    /// <summary>Whether one more sandbox reserving <paramref name="memory"/> fits the host quotas next to
    /// <paramref name="live"/> (live instances and pooled sandboxes).</summary>
    private bool FitsQuotas((int Count, long Memory) live, long memory)
    {
        var quotas = options.Value.Quotas;
        return (quotas.MaxInstances is not { } maxInstances || live.Count + 1 <= maxInstances)
            && (quotas.MaxMemory is not { } maxText || !ByteSize.TryParse(maxText, out var maxMemory) || live.Memory + memory <= maxMemory);
    }

    /// <summary>A boot that the quotas admit makes room for itself by discarding pooled sandboxes, which count against
    /// the quotas but must never keep an app from starting.</summary>
    private async Task MakeRoomInPoolAsync(long memory, CancellationToken cancellationToken)
    {
        var quotas = options.Value.Quotas;
        while (PoolSizes().Values.Sum() > 0 && (quotas.MaxInstances is not null || quotas.MaxMemory is not null))
        {
            if (FitsQuotas(await LiveReservationAsync(cancellationToken), memory))
            {
                return;
            }

            IPreparedSandbox? evicted;
            string? kit;
            lock (_pool)
            {
                (kit, var list) = _pool.FirstOrDefault(p => p.Value.Count > 0);
                evicted = list?.FirstOrDefault();
                list?.Remove(evicted!);
            }

            if (evicted is null)
            {
                return;
            }

            PoolEvicted(logger, kit!, evicted.Id);
            await DiscardPooledAsync(evicted);
        }
    }

    /// <summary>Live instances plus pooled sandboxes: how many, and how much memory their kits reserve.</summary>
    private async Task<(int Count, long Memory)> LiveReservationAsync(CancellationToken cancellationToken)
    {
        var liveKits = await LiveKitsAsync(cancellationToken);
        List<string> pooledKits;
        lock (_pool)
        {
            pooledKits = [.. _pool.SelectMany(p => p.Value.Select(_ => p.Key))];
        }

        long reserved = 0;
        foreach (var kitName in liveKits.Concat(pooledKits))
        {
            reserved += (await kits.GetAsync(kitName, cancellationToken)).Manifest.Resources.Memory;
        }

        return (liveKits.Count + pooledKits.Count, reserved);
    }

    [LoggerMessage(30, LogLevel.Information, "Warm pool {Kit}: prepared {InstanceId}")]
    private static partial void PoolPrepared(ILogger logger, string kit, string instanceId);

    [LoggerMessage(31, LogLevel.Warning, "Warm pool {Kit}: could not prepare a sandbox; trying again later")]
    private static partial void PoolFillFailed(ILogger logger, string kit, Exception exception);

    [LoggerMessage(32, LogLevel.Debug, "Warm pool {Kit}: the kit is not installed; nothing to pool yet")]
    private static partial void PoolKitMissing(ILogger logger, string kit);

    [LoggerMessage(33, LogLevel.Warning, "Warm pool {Kit}: pooled sandbox {InstanceId} ended before it was claimed ({Reason}, code {ExitCode})")]
    private static partial void PooledExited(ILogger logger, string kit, string instanceId, string reason, int exitCode);

    [LoggerMessage(34, LogLevel.Warning, "Warm pool {Kit}: claiming {InstanceId} failed ({Reason}); booting it afresh")]
    private static partial void PoolClaimFailed(ILogger logger, string kit, string instanceId, string reason);

    [LoggerMessage(35, LogLevel.Information, "Warm pool {Kit}: discarded {InstanceId} to make room for a boot within the host quotas")]
    private static partial void PoolEvicted(ILogger logger, string kit, string instanceId);
}

/// <summary>A kit's warm pool: its configured size (0 when the backend cannot pool) and the sandboxes ready in it.</summary>
internal sealed record PoolStatusDto(string Kit, int Size, IReadOnlyList<string> Ready);
