using System.Text.Json;

namespace Famiglia.Web.AgentApi;

/// <summary>One record of an app.</summary>
public sealed record AppRecordDto(string Id, string AppId, JsonElement Data, DateTime CreatedAt, DateTime UpdatedAt);
