using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.AgentApi;

/// <summary><c>files?q=</c>: full-text search by relevance; without <c>q</c>, every file by name.</summary>
internal static class FilesApi
{
    public static RouteGroupBuilder MapFiles(this RouteGroupBuilder api)
    {
        api.MapReadOnly("/files", SearchAsync).WithSummary("File search (full text over name and content)");
        return api;
    }

    private static async Task<Results<Ok<Page<FileDto>>, ValidationProblem>> SearchAsync(
        AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, string? q, string? limit, string? offset, CancellationToken cancellationToken)
    {
        if (!Paging.TryParse(limit, offset, out var paging, out var problem))
        {
            return problem!;
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var files = context.Files.AsNoTracking().Where(f => f.GroupId == caller.GroupId);
        if (string.IsNullOrWhiteSpace(q))
        {
            var (all, page) = await paging.ReadAsync(
                files.OrderBy(f => f.Name).ThenBy(f => f.Id)
                    .Select(f => new FileDto(f.Id, f.Name, f.Mime, f.Size, f.RoomId, f.Text, null, f.CreatedAt)),
                cancellationToken);
            return TypedResults.Ok(paging.ToPage(page, all));
        }

        var words = FileSearch.WordsOf(q);
        if (words.Count == 0)
        {
            return TypedResults.Ok(paging.ToPage<FileDto>([], 0));
        }

        var (total, hits) = await FileSearch.SearchAsync(context, caller.GroupId, words, paging.Limit, paging.Offset, cancellationToken);
        var ids = hits.Select(h => h.FileId).ToList();
        var byId = await files.Where(f => ids.Contains(f.Id)).ToDictionaryAsync(f => f.Id, cancellationToken);
        var data = hits
            .Where(h => byId.ContainsKey(h.FileId))
            .Select(h => byId[h.FileId] is var f ? new FileDto(f.Id, f.Name, f.Mime, f.Size, f.RoomId, f.Text, h.Snippet, f.CreatedAt) : null!)
            .ToList();
        return TypedResults.Ok(paging.ToPage(data, total));
    }
}
