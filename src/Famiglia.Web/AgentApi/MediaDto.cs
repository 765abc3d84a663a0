namespace Famiglia.Web.AgentApi;

/// <summary>A media item; <see cref="Url"/> is the Data API path that serves its bytes.</summary>
public sealed record MediaDto(string Id, string Mime, long Size, int? Width, int? Height, string Url);
