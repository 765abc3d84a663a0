namespace Famiglia.Web.AgentApi;

/// <summary>A feed post. <see cref="Type"/> is text, image, video, link or file.</summary>
public sealed record PostDto(string Id, string Type, string? Text, UserDto Author, MediaDto? Media, string? LinkUrl, DateTime CreatedAt);
