namespace Aegis.Cli.Api;

/// <summary>aegisd refused a request: its RFC 9457 problem details, or what stood in for them.</summary>
internal sealed class AegisApiException(int status, string title, string? detail, string? field, IReadOnlyList<string> errors)
    : Exception(detail is null ? title : $"{title}: {detail}")
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    /// <summary>The request field aegisd blames, e.g. <c>manifest</c> or <c>command</c>.</summary>
    public string? Field { get; } = field;

    public IReadOnlyList<string> Errors { get; } = errors;
}
