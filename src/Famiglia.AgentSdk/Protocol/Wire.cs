namespace Famiglia.AgentSdk.Protocol;

// The params and results of docs/agent-protocol.md that callers never see.

internal sealed record ReadyParams(string Sdk);

internal sealed record SayParams(string Text, string? Thread);

internal sealed record AnnounceParams(string Text);

internal sealed record SentResult(string Id);

internal sealed record MessageParams(string? Id, string? From, string? Body, string? Thread, DateTimeOffset Timestamp, string? Room);

internal sealed record EmptyParams;

internal sealed record PostParams(string PostId);

internal sealed record MediaParams(string MediaId);

internal sealed record MediaResult(string ContentType, byte[]? Base64);

internal sealed record DocumentsParams(string? RoomId, int? Limit, int? Offset);

internal sealed record PageParams(int? Limit, int? Offset);

internal sealed record FilesParams(string Q, int? Limit, int? Offset);

internal sealed record AppRecordsParams(string AppId, int? Limit, int? Offset);

internal sealed record CanvasTextParams(string Path, string Text);

internal sealed record CanvasBytesParams(string Path, ReadOnlyMemory<byte> Base64);

internal sealed record CanvasPathParams(string Path);

internal sealed record CanvasWriteResult(string Path, long Size);

internal sealed record CanvasReadResult(string Path, string? Text, byte[]? Base64);

internal sealed record CanvasDeleteResult(string Path, bool Deleted);

internal sealed record CanvasVersionResult(long Version);
