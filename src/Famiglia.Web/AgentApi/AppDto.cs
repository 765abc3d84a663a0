using System.Text.Json;

namespace Famiglia.Web.AgentApi;

/// <summary>An app and the JSON Schema of its records.</summary>
public sealed record AppDto(string Id, string Name, string? DocumentId, JsonElement Schema, DateTime CreatedAt);
