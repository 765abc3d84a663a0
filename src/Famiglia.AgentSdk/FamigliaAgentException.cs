namespace Famiglia.AgentSdk;

/// <summary>The harness answered a request with a JSON-RPC error (codes in <see cref="FamigliaErrorCodes"/>).</summary>
public sealed class FamigliaAgentException : Exception
{
    /// <summary>Creates an exception for a JSON-RPC error.</summary>
    /// <param name="code">The JSON-RPC error code.</param>
    /// <param name="message">The error's message.</param>
    /// <param name="field">The parameter the error is about (<c>data.field</c>), if any.</param>
    /// <param name="status">The Agent Data API's HTTP status (<c>data.status</c>), if any.</param>
    /// <param name="title">The Agent Data API's problem title (<c>data.title</c>), if any.</param>
    public FamigliaAgentException(int code, string message, string? field = null, int? status = null, string? title = null)
        : base(message)
    {
        Code = code;
        Field = field;
        Status = status;
        Title = title;
    }

    /// <summary>The JSON-RPC error code, for instance <see cref="FamigliaErrorCodes.CanvasError"/>.</summary>
    public int Code { get; }

    /// <summary>The parameter the error is about (<c>data.field</c>), for instance <c>path</c>.</summary>
    public string? Field { get; }

    /// <summary>For <see cref="FamigliaErrorCodes.DataApiError"/>: the Agent Data API's HTTP status (<c>data.status</c>).</summary>
    public int? Status { get; }

    /// <summary>For <see cref="FamigliaErrorCodes.DataApiError"/>: the Agent Data API's problem title (<c>data.title</c>).</summary>
    public string? Title { get; }
}
