using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace Famiglia.Web.AgentApi;

/// <summary><c>feed</c>, <c>feed/{postId}</c> and <c>media/{mediaId}</c>.</summary>
internal static class FeedApi
{
    public static RouteGroupBuilder MapFeed(this RouteGroupBuilder api)
    {
        api.MapReadOnly("/feed", ListAsync).WithSummary("Group feed posts, newest first; type=text|image|video|link|file filters")
            .Produces<Page<PostDto>>().ProducesValidationProblem();
        api.MapReadOnly("/feed/{postId}", GetAsync).WithSummary("A single post");
        api.MapReadOnly("/media/{mediaId}", GetMediaAsync).WithSummary("Media bytes, with ETag and range support");
        return api;
    }

    private static async Task<IResult> ListAsync(
        AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, FeedPageCache cache, string? limit, string? offset, string? type,
        CancellationToken cancellationToken)
    {
        if (!Paging.TryParse(limit, offset, out var paging, out var problem))
        {
            return problem!;
        }

        PostType? filter = null;
        if (!string.IsNullOrEmpty(type))
        {
            if (!Enum.TryParse<PostType>(type, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || type.Any(char.IsAsciiDigit))
            {
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { ["type"] = ["'type' must be one of text, image, video, link, file."] },
                    title: "Invalid query parameter");
            }

            filter = parsed;
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var posts = context.Posts.AsNoTracking().Where(p => p.GroupId == caller.GroupId);
        if (filter is { } postType)
        {
            posts = posts.Where(p => p.Type == postType);
        }

        // The total from the trigger-maintained counts (counting the group's posts here costs O(posts) per request), and
        // the feed version, read before the page so that a cached page is never older than its stamp.
        var state = await PostCounts.OfAsync(context, caller.GroupId, filter, cancellationToken);
        var json = await cache.GetOrRenderAsync(new FeedPageCache.Key(caller.GroupId, filter?.ToString(), paging.Limit, paging.Offset), state.Version, async () =>
        {
            var page = await paging.ReadAsync(Project(posts.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id)), state.Total, cancellationToken);
            return paging.ToPage(page, state.Total);
        });
        return new Utf8JsonResult(json);
    }

    private static async Task<Results<Ok<PostDto>, ProblemHttpResult>> GetAsync(
        string postId, AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var post = await Project(context.Posts.AsNoTracking().Where(p => p.Id == postId && p.GroupId == caller.GroupId))
            .SingleOrDefaultAsync(cancellationToken);
        return post is null ? NotFoundProblem.For("Post", postId) : TypedResults.Ok(post);
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> GetMediaAsync(
        string mediaId, AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, MediaStore store, HttpContext http, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var media = await context.Media.AsNoTracking().SingleOrDefaultAsync(m => m.Id == mediaId && m.GroupId == caller.GroupId, cancellationToken);
        var path = media is null ? null : store.PathOf(media);
        if (media is null || !File.Exists(path))
        {
            return NotFoundProblem.For("Media", mediaId);
        }

        // Content-addressed, so the bytes behind an id never change: private (per key), cacheable for a day.
        http.Response.Headers.CacheControl = "private, max-age=86400";
        return TypedResults.PhysicalFile(
            path!,
            media.Mime,
            lastModified: new DateTimeOffset(media.CreatedAt, TimeSpan.Zero),
            entityTag: new EntityTagHeaderValue($"\"{media.Sha256}\""),
            enableRangeProcessing: true);
    }

    private static IQueryable<PostDto> Project(IQueryable<Post> posts) =>
        posts.Select(p => new PostDto(
            p.Id,
            p.Type.ToString().ToLower(),
            new PostContent(p.Text, p.LinkUrl),
            new UserDto(p.AuthorId, p.Author!.Handle, p.Author.DisplayName),
            p.Media == null
                ? Array.Empty<MediaDto>()
                : new[] { new MediaDto(p.Media.Id, p.Media.Mime, p.Media.Size, p.Media.Width, p.Media.Height, "/api/agent/media/" + p.Media.Id) },
            p.CreatedAt));
}
