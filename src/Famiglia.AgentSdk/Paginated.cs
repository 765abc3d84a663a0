namespace Famiglia.AgentSdk;

/// <summary>One page of a Data API list (spec §6.2): page on with <c>Offset += Data.Count</c> while <see cref="HasMore"/>.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Data">The items of this page.</param>
/// <param name="Total">How many items the whole list has.</param>
/// <param name="HasMore">Whether items follow this page.</param>
public sealed record Paginated<T>(IReadOnlyList<T> Data, int Total, bool HasMore);
