namespace Famiglia.AgentSdk;

/// <summary>Pages the Data API's lists (rooms, documents, apps); null members take the API's defaults.</summary>
public sealed record PageQuery
{
    /// <summary>Page size: 50 by default, at most 200.</summary>
    public int? Limit { get; init; }

    /// <summary>How many items to skip; 0 by default.</summary>
    public int? Offset { get; init; }
}
