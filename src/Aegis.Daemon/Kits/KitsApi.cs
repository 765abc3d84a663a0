using Aegis.Core.Kits;
using Aegis.Core.Registry;
using Aegis.Daemon.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Aegis.Daemon.Kits;

internal static class KitsApi
{
    public static RouteGroupBuilder MapKits(this RouteGroupBuilder api)
    {
        var kits = api.MapGroup("/kits");
        kits.MapPost("/", InstallAsync);
        kits.MapGet("/", ListAsync);
        kits.MapGet("/{name}", GetAsync);
        return api;
    }

    private static async Task<Created<KitDto>> InstallAsync(InstallKitRequest request, KitCatalog catalog, Instances.InstanceManager instances, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Manifest))
        {
            throw ApiProblem.Invalid("manifest", "The kit's aegis-kit.yaml text is required.");
        }

        byte[]? hooks = null;
        if (request.HooksBase64 is not null)
        {
            try
            {
                hooks = Convert.FromBase64String(request.HooksBase64);
            }
            catch (FormatException)
            {
                throw ApiProblem.Invalid("hooksBase64", "The hooks executable must be base64.");
            }
        }

        var kit = await catalog.InstallAsync(request.Manifest, hooks, cancellationToken);
        await instances.KitInstalledAsync(kit.Name);
        return TypedResults.Created($"/v1/kits/{kit.Name}", KitDto.From(kit, KitManifest.Parse(kit.ManifestYaml)));
    }

    private static async Task<Ok<List<KitDto>>> ListAsync(KitCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok((await catalog.ListAsync(cancellationToken)).Select(k => KitDto.From(k, KitManifest.Parse(k.ManifestYaml))).ToList());

    private static async Task<Ok<KitDto>> GetAsync(string name, KitCatalog catalog, CancellationToken cancellationToken)
    {
        var (entity, manifest) = await catalog.GetAsync(name, cancellationToken);
        return TypedResults.Ok(KitDto.From(entity, manifest));
    }
}

/// <summary>Install a kit: its manifest text and, optionally, its hooks executable.</summary>
public sealed record InstallKitRequest(string Manifest, string? HooksBase64);

/// <summary>A kit as the API shows it.</summary>
public sealed record KitDto(string Name, string Version, string? Description, bool HasHooks, DateTimeOffset InstalledAt, KitManifest Manifest)
{
    internal static KitDto From(KitEntity kit, KitManifest manifest) =>
        new(kit.Name, kit.Version, manifest.Description, kit.HooksPath is not null, kit.InstalledAt, manifest);
}
