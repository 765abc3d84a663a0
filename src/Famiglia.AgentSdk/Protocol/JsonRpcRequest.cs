using System.Text.Json;

namespace Famiglia.AgentSdk.Protocol;

/// <summary>A request (<see cref="Id"/> is the raw JSON of its id) or a notification (<see cref="Id"/> is null) from the
/// harness. <see cref="Params"/> lives only as long as the read loop's callback.</summary>
internal readonly record struct JsonRpcRequest(string Method, string? Id, JsonElement Params);
