namespace Famiglia.AgentSdk;

/// <summary>The JSON-RPC error codes the harness answers with (<see cref="FamigliaAgentException.Code"/>).</summary>
public static class FamigliaErrorCodes
{
    /// <summary>The line was not JSON.</summary>
    public const int ParseError = -32700;

    /// <summary>Not a valid request; also raised by the SDK for a request longer than the protocol's 4 MiB line limit.</summary>
    public const int InvalidRequest = -32600;

    /// <summary>The method does not exist (an older harness).</summary>
    public const int MethodNotFound = -32601;

    /// <summary>A parameter is invalid; <see cref="FamigliaAgentException.Field"/> names it.</summary>
    public const int InvalidParams = -32602;

    /// <summary>The SDK could not make sense of an answer (for instance, one without a result).</summary>
    public const int InternalError = -32603;

    /// <summary>The agent is not in the room right now (the harness is reconnecting); retry later.</summary>
    public const int NotInRoom = -32001;

    /// <summary>The Agent Data API answered with an error; <see cref="FamigliaAgentException.Status"/> and
    /// <see cref="FamigliaAgentException.Title"/> carry its problem details.</summary>
    public const int DataApiError = -32002;

    /// <summary>The canvas path was refused or the file does not exist; <see cref="FamigliaAgentException.Field"/> is <c>path</c>.</summary>
    public const int CanvasError = -32003;

    /// <summary>The harness is shutting down.</summary>
    public const int ShuttingDown = -32004;
}
