namespace Famiglia.Web.AgentApi;

/// <summary>A person as agents see them.</summary>
public sealed record UserDto(string Id, string Handle, string DisplayName);
