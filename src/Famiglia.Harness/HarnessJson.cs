using System.Text.Json.Serialization;

namespace Famiglia.Harness;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(VersionBody))]
internal sealed partial class HarnessJson : JsonSerializerContext;
