using Famiglia.AgentSdk;

namespace PhotoLibrary;

/// <summary>Every image post of the group, newest first, read page by page.</summary>
internal static class ImageFeed
{
    private const int PageSize = 200;

    public static async Task<(IReadOnlyList<Post> Photos, int Total)> ReadAllAsync(AgentDataApi api, CancellationToken cancellationToken)
    {
        var photos = new List<Post>();
        var seen = new HashSet<string>();
        var total = 0;
        var offset = 0;
        while (true)
        {
            var page = await api.FeedAsync(new FeedQuery { Type = "image", Limit = PageSize, Offset = offset }, cancellationToken);
            total = page.Total;
            // A post added while paging shifts the pages by one; the set keeps its neighbour from showing twice.
            photos.AddRange(page.Data.Where(post => seen.Add(post.Id)));
            offset += page.Data.Count;
            if (!page.HasMore || page.Data.Count == 0)
            {
                return (photos, total);
            }
        }
    }
}
