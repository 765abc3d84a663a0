namespace Famiglia.AgentSdk;

/// <summary>What a post says.</summary>
/// <param name="Text">The post's text, if any.</param>
/// <param name="LinkUrl">For link posts, the link.</param>
public sealed record PostContent(string? Text, string? LinkUrl);
