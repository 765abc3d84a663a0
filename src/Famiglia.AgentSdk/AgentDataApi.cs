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

    /// <summary>A page of the group's rooms, by slug.</summary>
    /// <param name="page">Paging; null for the first 50.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<RoomInfo>> RoomsAsync(PageQuery? page = null, CancellationToken cancellationToken = default) =>
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

    /// <summary>A page of a room's documents (tabs), oldest first.</summary>
    /// <param name="roomId">The room; the agent's own room when null.</param>
    /// <param name="page">Paging; null for the first 50.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<Document>> DocumentsAsync(string? roomId = null, PageQuery? page = null, CancellationToken cancellationToken = default) =>
        _agent.InvokeAsync(
            "api.documents",
            new DocumentsParams(roomId, page?.Limit, page?.Offset),
            AgentJsonContext.Default.DocumentsParams,
            AgentJsonContext.Default.PaginatedDocument,
            cancellationToken);

    /// <summary>Full-text search over the group's files (name and content), best match first; an empty query lists
    /// every file by name.</summary>
    /// <param name="query">The search terms.</param>
    /// <param name="limit">Page size: 50 by default, at most 200.</param>
    /// <param name="offset">How many results to skip.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<FileResult>> FilesAsync(string query, int? limit = null, int? offset = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return _agent.InvokeAsync(
            "api.files", new FilesParams(query, limit, offset), AgentJsonContext.Default.FilesParams, AgentJsonContext.Default.PaginatedFileResult, cancellationToken);
    }

    /// <summary>A page of the group's apps and their record schemas, oldest first.</summary>
    /// <param name="page">Paging; null for the first 50.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<Paginated<App>> AppsAsync(PageQuery? page = null, CancellationToken cancellationToken = default) =>
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
}
