using System.Text.Json;
using Aegis.Core.Registry;
using Aegis.Daemon.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Aegis.Daemon.Apps;

internal static class AppsApi
{
    public static RouteGroupBuilder MapApps(this RouteGroupBuilder api)
    {
        var apps = api.MapGroup("/apps");
        apps.MapPost("/", CreateAsync);
        apps.MapGet("/", ListAsync);
        apps.MapGet("/{appId}", GetAsync);
        apps.MapDelete("/{appId}", DeleteAsync);
        apps.MapPut("/{appId}/secrets", SetSecretsAsync);
        apps.MapDelete("/{appId}/secrets/{name}", DeleteSecretAsync);
        apps.MapPost("/{appId}/serve", ServeAsync);
        apps.MapDelete("/{appId}/serve", UnserveAsync);
        apps.MapPost("/{appId}/releases", PublishAsync);
        apps.MapGet("/{appId}/releases", ReleasesAsync);
        return api;
    }

    private static async Task<Created<CreatedAppDto>> CreateAsync(CreateAppRequest request, AppService apps, CancellationToken cancellationToken)
    {
        var app = await apps.CreateAsync(request, cancellationToken);
        return TypedResults.Created($"/v1/apps/{app.Id}", new CreatedAppDto(app.Id));
    }

    private static async Task<Ok<List<AppDto>>> ListAsync(AppService apps, CancellationToken cancellationToken)
    {
        var list = new List<AppDto>();
        foreach (var app in await apps.ListAsync(cancellationToken))
        {
            list.Add(AppDto.From(app, await apps.SecretNamesAsync(app.Id, cancellationToken)));
        }

        return TypedResults.Ok(list);
    }

    private static async Task<Ok<AppDto>> GetAsync(string appId, AppService apps, CancellationToken cancellationToken) =>
        TypedResults.Ok(AppDto.From(await apps.GetAsync(appId, cancellationToken), await apps.SecretNamesAsync(appId, cancellationToken)));

    private static async Task<NoContent> DeleteAsync(string appId, AppService apps, Instances.InstanceManager instances, CancellationToken cancellationToken)
    {
        await apps.GetAsync(appId, cancellationToken);
        await instances.TerminateAppAsync(appId, "app deleted", cancellationToken);
        await apps.DeleteAsync(appId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> SetSecretsAsync(string appId, SetSecretsRequest request, AppService apps, CancellationToken cancellationToken)
    {
        await apps.SetSecretsAsync(appId, request.Secrets ?? throw ApiProblem.Invalid("secrets", "The body is {\"secrets\": {\"NAME\": \"value\", …}}."), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteSecretAsync(string appId, string name, AppService apps, CancellationToken cancellationToken)
    {
        await apps.DeleteSecretAsync(appId, name, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ServeAsync(string appId, AppService apps, CancellationToken cancellationToken)
    {
        await apps.SetServedAsync(appId, served: true, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The router stops waking the app; an instance that runs keeps serving until it is paused or terminated.</summary>
    private static async Task<NoContent> UnserveAsync(string appId, AppService apps, CancellationToken cancellationToken)
    {
        await apps.SetServedAsync(appId, served: false, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Created<ReleaseDto>> PublishAsync(string appId, HttpRequest request, AppService apps, CancellationToken cancellationToken)
    {
        var release = await apps.PublishAsync(appId, request.Body, cancellationToken);
        return TypedResults.Created($"/v1/apps/{appId}/releases/{release.Id}", ReleaseDto.From(release));
    }

    private static async Task<Ok<List<ReleaseDto>>> ReleasesAsync(string appId, AppService apps, CancellationToken cancellationToken) =>
        TypedResults.Ok((await apps.ReleasesAsync(appId, cancellationToken)).Select(ReleaseDto.From).ToList());
}

/// <summary>Register an app of a kit. <c>config.command</c> (array) is what the sandbox runs; <c>config.group</c>
/// counts against the kit's <c>max_agents_per_group</c>. Secrets are write-only.</summary>
public sealed record CreateAppRequest(string Kit, string Name, JsonElement? Config, Dictionary<string, string>? Secrets);

/// <summary>Secrets to add or replace (the others stay), as in <see cref="CreateAppRequest"/>.</summary>
public sealed record SetSecretsRequest(Dictionary<string, string>? Secrets);

/// <summary>The new app's id.</summary>
public sealed record CreatedAppDto(string AppId);

/// <summary>An app as the API shows it: secret names, never values.</summary>
public sealed record AppDto(string AppId, string Kit, string Name, string? Group, JsonElement Config, bool Served, IReadOnlyList<string> SecretNames, DateTimeOffset CreatedAt)
{
    internal static AppDto From(AppEntity app, IReadOnlyList<string> secretNames) =>
        new(app.Id, app.Kit, app.Name, app.Group, JsonDocument.Parse(app.ConfigJson).RootElement, app.Served, secretNames, app.CreatedAt);
}

/// <summary>A published release.</summary>
public sealed record ReleaseDto(string ReleaseId, string AppId, int Version, string Sha256, long SizeBytes, DateTimeOffset CreatedAt)
{
    internal static ReleaseDto From(ReleaseEntity r) => new(r.Id, r.AppId, r.Version, r.Sha256, r.SizeBytes, r.CreatedAt);
}
