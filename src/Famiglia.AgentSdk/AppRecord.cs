using System.Text.Json;

namespace Famiglia.AgentSdk;

/// <summary>One record of an app (<c>api.appRecords</c>).</summary>
/// <param name="Id">The record's id.</param>
/// <param name="AppId">The app it belongs to.</param>
/// <param name="Data">The record, shaped by the app's <see cref="App.Schema"/>.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record AppRecord(string Id, string AppId, JsonElement Data, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
