using System.Text.Json.Nodes;

namespace Famiglia.Harness;

/// <summary>A JSON-RPC error answer (codes in docs/agent-protocol.md).</summary>
internal sealed class RpcException(int code, string message, JsonObject? data = null) : Exception(message)
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int NotInRoom = -32001;
    public const int ApiError = -32002;
    public const int CanvasRefused = -32003;
    public const int ShuttingDown = -32004;

    public int Code { get; } = code;

    public JsonObject? Details { get; } = data;

    public static RpcException BadParam(string field, string message) =>
        new(InvalidParams, message, new JsonObject { ["field"] = field });
}
