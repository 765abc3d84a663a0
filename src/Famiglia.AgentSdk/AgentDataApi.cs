using Famiglia.AgentSdk.Protocol;

namespace Famiglia.AgentSdk;

/// <summary>The Agent Data API (spec §6.2), read-only, reached through the harness (which holds the API key). Failures
/// raise <see cref="FamigliaAgentException"/> with <see cref="FamigliaErrorCodes.DataApiError"/> and the HTTP status.</summary>
public sealed class AgentDataApi
{
    private static readonly EmptyParams NoParams = new();
    private readonly FamigliaAgent _agent;

    internal AgentDataApi(FamigliaAgent agent) => _agent = agent;

    /// <summary>The agent's group and its members.</summary>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<GroupInfo> GroupAsync(CancellationToken cancellationToken = default) =>
        _agent.InvokeAsync("api.group", NoParams, AgentJsonContext.Default.EmptyParams, AgentJsonContext.Default.GroupInfo, cancellationToken);

    /// <summary>The agent's own room.</summary>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<RoomInfo> RoomAsync(CancellationToken cancellationToken = default) =>
        _agent.InvokeAsync("api.room", NoParams, AgentJsonContext.Default.EmptyParams, AgentJsonContext.Default.RoomInfo, cancellationToken);

    /// <summary>Every room of the group, by slug (spec §8.2 <c>rooms()</c>; fetched a page of 200 at a time).</summary>
    /// <param name="cancellationToken">Stops waiting for the answers.</param>
    public Task<IReadOnlyList<RoomInfo>> RoomsAsync(CancellationToken cancellationToken = default) =>
        EveryPageAsync(page => RoomsPageAsync(page, cancellationToken));

    /// <summary>One page of <see cref="RoomsAsync"/>.</summary>
    /// <param name="page">Paging; null for the first 50.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<RoomInfo>> RoomsPageAsync(PageQuery? page = null, CancellationToken cancellationToken = default) =>
        _agent.InvokeAsync(
            "api.rooms", new PageParams(page?.Limit, page?.Offset), AgentJsonContext.Default.PageParams, AgentJsonContext.Default.PaginatedRoomInfo, cancellationToken);

    /// <summary>A page of the group's feed, newest first. Media URLs are canvas-relative (<c>_media/{id}</c>).</summary>
    /// <param name="query">Type filter and paging; null for the first 50 posts of any type.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<Post>> FeedAsync(FeedQuery? query = null, CancellationToken cancellationToken = default) =>
        _agent.InvokeAsync("api.feed", query ?? new FeedQuery(), AgentJsonContext.Default.FeedQuery, AgentJsonContext.Default.PaginatedPost, cancellationToken);

    /// <summary>One post.</summary>
    /// <param name="postId">The post's id.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Post> PostAsync(string postId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(postId);
        return _agent.InvokeAsync("api.post", new PostParams(postId), AgentJsonContext.Default.PostParams, AgentJsonContext.Default.Post, cancellationToken);
    }

    /// <summary>The bytes of a media item (keep in mind the protocol's line limit: very large media may not fit).</summary>
    /// <param name="mediaId">The media's id (<see cref="MediaInfo.Id"/>).</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public async Task<MediaContent> MediaAsync(string mediaId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaId);
        var media = await _agent.InvokeAsync(
            "api.media", new MediaParams(mediaId), AgentJsonContext.Default.MediaParams, AgentJsonContext.Default.MediaResult, cancellationToken);
        return new MediaContent(media.ContentType, media.Base64 ?? []);
    }

    /// <summary>A page of a room's chat history, newest first.</summary>
    /// <param name="query">Room and paging; null for the latest 50 messages of the agent's room.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<ChatMessage>> ChatHistoryAsync(ChatQuery? query = null, CancellationToken cancellationToken = default) =>
        _agent.InvokeAsync(
            "api.chatHistory", query ?? new ChatQuery(), AgentJsonContext.Default.ChatQuery, AgentJsonContext.Default.PaginatedChatMessage, cancellationToken);

    /// <summary>Every document (tab) of a room, oldest first (spec §8.2 <c>documents(roomId)</c>).</summary>
    /// <param name="roomId">The room; the agent's own room when null.</param>
    /// <param name="cancellationToken">Stops waiting for the answers.</param>
    public Task<IReadOnlyList<Document>> DocumentsAsync(string? roomId = null, CancellationToken cancellationToken = default) =>
        EveryPageAsync(page => DocumentsPageAsync(roomId, page, cancellationToken));

    /// <summary>One page of <see cref="DocumentsAsync"/>.</summary>
    /// <param name="roomId">The room; the agent's own room when null.</param>
    /// <param name="page">Paging; null for the first 50.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<Document>> DocumentsPageAsync(string? roomId = null, PageQuery? page = null, CancellationToken cancellationToken = default) =>
        _agent.InvokeAsync(
            "api.documents",
            new DocumentsParams(roomId, page?.Limit, page?.Offset),
            AgentJsonContext.Default.DocumentsParams,
            AgentJsonContext.Default.PaginatedDocument,
            cancellationToken);

    /// <summary>Full-text search over the group's files (name and content), best match first; an empty query lists
    /// every file by name (spec §8.2 <c>files(query)</c>). Every match: <see cref="FilesPageAsync"/> gives the first few
    /// of a broad search.</summary>
    /// <param name="query">The search terms.</param>
    /// <param name="cancellationToken">Stops waiting for the answers.</param>
    public Task<IReadOnlyList<FileResult>> FilesAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return EveryPageAsync(page => FilesPageAsync(query, page.Limit, page.Offset, cancellationToken));
    }

    /// <summary>One page of <see cref="FilesAsync"/>.</summary>
    /// <param name="query">The search terms.</param>
    /// <param name="limit">Page size: 50 by default, at most 200.</param>
    /// <param name="offset">How many results to skip.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<FileResult>> FilesPageAsync(string query, int? limit = null, int? offset = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return _agent.InvokeAsync(
            "api.files", new FilesParams(query, limit, offset), AgentJsonContext.Default.FilesParams, AgentJsonContext.Default.PaginatedFileResult, cancellationToken);
    }

    /// <summary>Every app of the group and its record schema, oldest first (spec §8.2 <c>apps()</c>).</summary>
    /// <param name="cancellationToken">Stops waiting for the answers.</param>
    public Task<IReadOnlyList<App>> AppsAsync(CancellationToken cancellationToken = default) =>
        EveryPageAsync(page => AppsPageAsync(page, cancellationToken));

    /// <summary>One page of <see cref="AppsAsync"/>.</summary>
    /// <param name="page">Paging; null for the first 50.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<App>> AppsPageAsync(PageQuery? page = null, CancellationToken cancellationToken = default) =>
        _agent.InvokeAsync(
            "api.apps", new PageParams(page?.Limit, page?.Offset), AgentJsonContext.Default.PageParams, AgentJsonContext.Default.PaginatedApp, cancellationToken);

    /// <summary>A page of an app's records, oldest first.</summary>
    /// <param name="appId">The app's id (<see cref="App.Id"/>).</param>
    /// <param name="query">Paging; null for the first 50 records.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<AppRecord>> AppRecordsAsync(string appId, RecordQuery? query = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        return _agent.InvokeAsync(
            "api.appRecords",
            new AppRecordsParams(appId, query?.Limit, query?.Offset),
            AgentJsonContext.Default.AppRecordsParams,
            AgentJsonContext.Default.PaginatedAppRecord,
            cancellationToken);
    }

    /// <summary>The largest page the Data API gives.</summary>
    private const int LargestPage = 200;

    /// <summary>Every item of a list, a page of <see cref="LargestPage"/> at a time, until the API says there is no more.</summary>
    private static async Task<IReadOnlyList<T>> EveryPageAsync<T>(Func<PageQuery, Task<Paginated<T>>> fetch)
    {
        var items = new List<T>();
        while (true)
        {
            var page = await fetch(new PageQuery { Limit = LargestPage, Offset = items.Count });
            items.AddRange(page.Data);
            if (!page.HasMore || page.Data.Count == 0)
            {
                return items;
            }
        }
    }
}
