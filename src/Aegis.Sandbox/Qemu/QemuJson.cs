using System.Text.Json.Serialization;

namespace Aegis.Sandbox.Qemu;

/// <summary>The runtime files the backend writes for itself (shares.json, snapshot.json).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ShareDisk[]))]
[JsonSerializable(typeof(QemuMachine))]
internal sealed partial class QemuJson : JsonSerializerContext;
