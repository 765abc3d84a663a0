using System.Text.Json;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.AgentApi;

/// <summary><c>apps</c> and <c>apps/{appId}/records</c>.</summary>
internal static class AppsApi
{
    public static RouteGroupBuilder MapApps(this RouteGroupBuilder api)
    {
        api.MapReadOnly("/apps", ListAsync).WithSummary("App schemas");
        api.MapReadOnly("/apps/{appId}/records", RecordsAsync).WithSummary("App records, oldest first");
        return api;
    }

    private static async Task<Results<Ok<Page<AppDto>>, ValidationProblem>> ListAsync(
        AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, string? limit, string? offset, CancellationToken cancellationToken)
    {
        if (!Paging.TryParse(limit, offset, out var paging, out var problem))
        {
            return problem!;
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var (total, apps) = await paging.ReadAsync(
            context.Apps.AsNoTracking().Where(a => a.GroupId == caller.GroupId).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id),
            cancellationToken);
        return TypedResults.Ok(paging.ToPage(
            apps.Select(a => new AppDto(a.Id, a.Name, a.DocumentId, Json(a.SchemaJson), a.CreatedAt)).ToList(), total));
    }

    private static async Task<Results<Ok<Page<AppRecordDto>>, ValidationProblem, ProblemHttpResult>> RecordsAsync(
        string appId, AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, string? limit, string? offset, CancellationToken cancellationToken)
    {
        if (!Paging.TryParse(limit, offset, out var paging, out var problem))
        {
            return problem!;
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        if (!await context.Apps.AnyAsync(a => a.Id == appId && a.GroupId == caller.GroupId, cancellationToken))
        {
            return NotFoundProblem.For("App", appId);
        }

        var (total, records) = await paging.ReadAsync(
            context.AppRecords.AsNoTracking().Where(r => r.AppId == appId).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id),
            cancellationToken);
        return TypedResults.Ok(paging.ToPage(
            records.Select(r => new AppRecordDto(r.Id, r.AppId, Json(r.DataJson), r.CreatedAt, r.UpdatedAt)).ToList(), total));
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
