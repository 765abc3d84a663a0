using Aegis.Core.Instances;
using Aegis.Core.Registry;
using Aegis.Daemon.Snapshots;
using Aegis.Sandbox;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Aegis.Daemon.Instances;

internal static class InstancesApi
{
    public static RouteGroupBuilder MapInstances(this RouteGroupBuilder api)
    {
        var instances = api.MapGroup("/instances");
        instances.MapPost("/ensure", EnsureAsync);
        instances.MapGet("/", ListAsync);
        instances.MapGet("/{instanceId}", GetAsync);
        instances.MapPost("/{instanceId}/pause", async (string instanceId, InstanceManager m, CancellationToken ct) => TypedResults.Ok(Describe(await m.PauseAsync(instanceId, ct), m)));
        instances.MapPost("/{instanceId}/resume", async (string instanceId, InstanceManager m, CancellationToken ct) => TypedResults.Ok(Describe(await m.ResumeAsync(instanceId, ct), m)));
        instances.MapPost("/{instanceId}/terminate", async (string instanceId, InstanceManager m, SnapshotStore s, CancellationToken ct) =>
            TypedResults.Ok(await DescribeAsync(await m.TerminateAsync(instanceId, "terminated by request", ct), m, s, ct)));
        instances.MapGet("/{instanceId}/logs", LogsAsync);
        api.MapGet("/pool", (InstanceManager m) => TypedResults.Ok(m.PoolStatus()));
        return api;
    }

    private static async Task<Ok<InstanceDto>> EnsureAsync(EnsureRequest request, InstanceManager manager, HttpRequest http, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.AppId))
        {
            throw Infrastructure.ApiProblem.Invalid("appId", "appId is required.");
        }

        var instance = Describe(await manager.EnsureAsync(request.AppId, request.ReleaseId, cancellationToken), manager);
        // Where the instance is reached: the router on this address (an app whose kit exposes no port has no address).
        return TypedResults.Ok(instance.Address is null ? instance : instance with { Url = $"{http.Scheme}://{http.Host}/agent/{Uri.EscapeDataString(instance.AppId)}/" });
    }

    private static async Task<Ok<List<InstanceDto>>> ListAsync(InstanceManager manager, SnapshotStore snapshots, string? appId, bool? all, CancellationToken cancellationToken)
    {
        var list = await manager.ListAsync(appId, all ?? false, cancellationToken);
        var terminated = list.Where(i => i.State == InstanceState.Terminated).Select(i => i.Id).ToList();
        var kept = terminated.Count == 0 ? [] : await snapshots.FindByInstancesAsync(terminated, cancellationToken);
        return TypedResults.Ok(list.Select(i => InstanceDto.From(i, Usage(i, manager), kept.GetValueOrDefault(i.Id))).ToList());
    }

    private static async Task<Ok<InstanceDto>> GetAsync(string instanceId, InstanceManager manager, SnapshotStore snapshots, CancellationToken cancellationToken) =>
        TypedResults.Ok(await DescribeAsync(await manager.GetAsync(instanceId, cancellationToken), manager, snapshots, cancellationToken));

    private static async Task<InstanceDto> DescribeAsync(InstanceEntity instance, InstanceManager manager, SnapshotStore snapshots, CancellationToken cancellationToken) =>
        instance.State == InstanceState.Terminated
            ? InstanceDto.From(instance, null, (await snapshots.FindByInstancesAsync([instance.Id], cancellationToken)).GetValueOrDefault(instance.Id))
            : Describe(instance, manager);

    private static InstanceDto Describe(InstanceEntity instance, InstanceManager manager) => InstanceDto.From(instance, Usage(instance, manager));

    /// <summary>What the instance's sandbox uses now; an ended instance (terminated, error) has none.</summary>
    private static SandboxUsage? Usage(InstanceEntity instance, InstanceManager manager) =>
        InstanceTransitions.IsLive(instance.State) ? manager.Usage(instance.Id) : null;

    /// <summary>The sandbox's output; with <c>follow=true</c> it keeps streaming until the instance ends.</summary>
    private static async Task LogsAsync(string instanceId, bool? follow, InstanceManager manager, HttpResponse response, CancellationToken cancellationToken)
    {
        var instance = await manager.GetAsync(instanceId, cancellationToken);
        var path = manager.LogPath(instanceId);
        response.ContentType = "text/plain; charset=utf-8";
        foreach (var old in new[] { path + ".2", path + ".1" }.Where(File.Exists))
        {
            await using var rotated = new FileStream(old, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            await rotated.CopyToAsync(response.Body, cancellationToken);
        }

        if (!File.Exists(path))
        {
            return;
        }

        await using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        await log.CopyToAsync(response.Body, cancellationToken);
        if (follow != true)
        {
            return;
        }

        await response.Body.FlushAsync(cancellationToken);
        var buffer = new byte[16 * 1024];
        while (!cancellationToken.IsCancellationRequested)
        {
            var read = await log.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                continue;
            }

            instance = await manager.GetAsync(instanceId, cancellationToken);
            if (!InstanceTransitions.IsLive(instance.State))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}

/// <summary>Make sure the app has a running instance (of a release, when given).</summary>
public sealed record EnsureRequest(string AppId, string? ReleaseId);

/// <summary>An instance as the API shows it: a live one with what its sandbox uses (<see cref="Resources"/>); a terminated
/// one with the memory snapshot the app's next ensure restores; the answer to an ensure with the <see cref="Url"/> its
/// route has on the router.</summary>
public sealed record InstanceDto(
    string InstanceId, string AppId, string? ReleaseId, string State, string? Reason, string Backend, string? Address,
    DateTimeOffset CreatedAt, DateTimeOffset? ReadyAt, DateTimeOffset? PausedAt, DateTimeOffset? EndedAt, double? BootMilliseconds,
    InstanceResourcesDto? Resources, SnapshotDto? Snapshot = null, string? Url = null)
{
    internal static InstanceDto From(InstanceEntity i, SandboxUsage? usage, InstanceSnapshotEntity? snapshot = null) => new(
        i.Id, i.AppId, i.ReleaseId, i.State.ToString().ToLowerInvariant(), i.Reason, i.Backend, i.Address,
        i.CreatedAt, i.ReadyAt, i.PausedAt, i.EndedAt, i.ReadyAt is { } ready ? (ready - i.CreatedAt).TotalMilliseconds : null,
        InstanceResourcesDto.From(usage),
        snapshot is null ? null : new SnapshotDto(snapshot.CreatedAt, snapshot.ReleaseId, snapshot.MemoryBytes, snapshot.SizeBytes));
}

/// <summary>A kept memory snapshot: when it was taken, of which release, how large (memory, all on disk).</summary>
public sealed record SnapshotDto(DateTimeOffset CreatedAt, string? ReleaseId, long MemoryBytes, long SizeBytes);
