using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Tests;

public sealed class FeedCacheTestsOnSqlite(SqliteSpace space) : FeedCacheTests(space), IClassFixture<SqliteSpace>;

public sealed class FeedCacheTestsOnPostgres(PostgresSpace space) : FeedCacheTests(space), IClassFixture<PostgresSpace>;

/// <summary>
/// Feed pages are served from memory while the group's feed version is unchanged: every change a page shows (a post
/// added, edited or deleted, an author renamed, a media row changed) must reach the next request, on each provider's
/// triggers. Each test reads the page first, so that it is cached when the change happens.
/// </summary>
public abstract class FeedCacheTests(SeededSpace space)
{
    private HttpClient Api => space.Feldmans;

    [Fact]
    public async Task A_new_post_is_on_the_next_first_page_with_the_new_total()
    {
        var before = await Api.GetJsonAsync("/api/agent/feed?limit=5");
        var id = await ChangeAsync(async (context, group, author) =>
        {
            var post = new Post { GroupId = group, AuthorId = author, Type = PostType.Text, Text = "Fresh from the oven", CreatedAt = DateTime.UtcNow.AddYears(1) };
            context.Posts.Add(post);
            await context.SaveChangesAsync();
            return post.Id;
        });

        var after = await Api.GetJsonAsync("/api/agent/feed?limit=5");
        Assert.Equal(before.Total() + 1, after.Total());
        Assert.Equal(id, after.Data().First().Str("id"));
        Assert.Equal("Fresh from the oven", after.Data().First().GetProperty("content").Str("text"));
    }

    [Fact]
    public async Task An_edited_post_shows_its_new_text_and_a_deleted_one_is_gone()
    {
        var first = (await Api.GetJsonAsync("/api/agent/feed?type=text&limit=3")).Data().First().Str("id");
        await ChangeAsync(async (context, _, _) =>
            await context.Posts.Where(p => p.Id == first).ExecuteUpdateAsync(p => p.SetProperty(x => x.Text, "Edited text")));
        Assert.Equal("Edited text", (await Api.GetJsonAsync("/api/agent/feed?type=text&limit=3")).Data().First().GetProperty("content").Str("text"));

        await ChangeAsync(async (context, _, _) => await context.Posts.Where(p => p.Id == first).ExecuteDeleteAsync());
        var after = await Api.GetJsonAsync("/api/agent/feed?type=text&limit=3");
        Assert.DoesNotContain(first, after.Data().Select(p => p.Str("id")));
    }

    [Fact]
    public async Task A_renamed_author_and_changed_media_show_on_the_next_page()
    {
        var post = (await Api.GetJsonAsync("/api/agent/feed?type=image&limit=1")).Data().First();
        var authorId = post.GetProperty("author").Str("id");
        var mediaId = post.GetProperty("media")[0].Str("id");

        await ChangeAsync(async (context, _, _) =>
            await context.Users.Where(u => u.Id == authorId).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisplayName, "Renamed Author")));
        var renamed = (await Api.GetJsonAsync("/api/agent/feed?type=image&limit=1")).Data().First();
        Assert.Equal("Renamed Author", renamed.GetProperty("author").Str("displayName"));

        await ChangeAsync(async (context, _, _) =>
            await context.Media.Where(m => m.Id == mediaId).ExecuteUpdateAsync(m => m.SetProperty(x => x.Width, 4321)));
        var resized = (await Api.GetJsonAsync("/api/agent/feed?type=image&limit=1")).Data().First();
        Assert.Equal(4321, resized.GetProperty("media")[0].GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task Another_groups_change_leaves_this_groups_page_as_it_was()
    {
        var before = await Api.GetJsonAsync("/api/agent/feed?limit=3");
        await ChangeAsync(async (context, _, _) =>
        {
            var rossis = await context.Groups.SingleAsync(g => g.Slug == "rossis");
            var author = await context.Members.Where(m => m.GroupId == rossis.Id).Select(m => m.UserId).FirstAsync();
            context.Posts.Add(new Post { GroupId = rossis.Id, AuthorId = author, Type = PostType.Text, Text = "Ciao", CreatedAt = DateTime.UtcNow.AddYears(2) });
            return await context.SaveChangesAsync();
        });

        var after = await Api.GetJsonAsync("/api/agent/feed?limit=3");
        Assert.Equal(before.GetRawText(), after.GetRawText());
        Assert.Equal("Ciao", (await space.Rossis.GetJsonAsync("/api/agent/feed?limit=1")).Data().First().GetProperty("content").Str("text"));
    }

    /// <summary>Changes the database directly (as another process would), given feldmans' id and one of its members.</summary>
    private Task<T> ChangeAsync<T>(Func<FamigliaDbContext, string, string, Task<T>> change) =>
        space.Web.QueryAsync(async context =>
        {
            var group = await context.Groups.SingleAsync(g => g.Slug == "feldmans");
            var author = await context.Members.Where(m => m.GroupId == group.Id).Select(m => m.UserId).FirstAsync();
            return await change(context, group.Id, author);
        });
}
