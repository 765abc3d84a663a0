namespace Famiglia.AgentSdk;

/// <summary>Filters and pages <see cref="AgentDataApi.FeedAsync"/>; null members take the API's defaults.</summary>
public sealed record FeedQuery
{
    /// <summary>Only posts of this type: <c>text</c>, <c>image</c>, <c>video</c>, <c>link</c> or <c>file</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Page size: 50 by default, at most 200.</summary>
    public int? Limit { get; init; }

    /// <summary>How many posts to skip (newest first); 0 by default.</summary>
    public int? Offset { get; init; }
}
