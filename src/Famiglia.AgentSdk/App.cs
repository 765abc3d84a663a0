using System.Text.Json;

namespace Famiglia.AgentSdk;

/// <summary>An app of the group and the JSON Schema of its records (<c>api.apps</c>).</summary>
/// <param name="Id">The app's id, for <see cref="AgentDataApi.AppRecordsAsync"/>.</param>
/// <param name="Name">The app's name.</param>
/// <param name="DocumentId">The document (tab) the app lives in, if any.</param>
/// <param name="Schema">The JSON Schema of the app's records.</param>
/// <param name="CreatedAt">When the app was created.</param>
public sealed record App(string Id, string Name, string? DocumentId, JsonElement Schema, DateTimeOffset CreatedAt);
