namespace Famiglia.AgentSdk;

/// <summary>Pages <see cref="AgentDataApi.AppRecordsAsync"/>; null members take the API's defaults.</summary>
public sealed record RecordQuery
{
    /// <summary>Page size: 50 by default, at most 200.</summary>
    public int? Limit { get; init; }

    /// <summary>How many records to skip (oldest first); 0 by default.</summary>
    public int? Offset { get; init; }
}
