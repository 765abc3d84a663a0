namespace Famiglia.Web.AgentApi;

/// <summary>One page of a list (spec §6.2 pagination convention).</summary>
public sealed record Page<T>(IReadOnlyList<T> Data, int Total, bool HasMore);
