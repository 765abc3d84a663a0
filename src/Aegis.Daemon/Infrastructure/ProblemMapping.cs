using Aegis.Core.Instances;
using Aegis.Core.Kits;
using Aegis.Sandbox;
using Microsoft.AspNetCore.Diagnostics;

namespace Aegis.Daemon.Infrastructure;

/// <summary>Every error leaves as problem details: domain errors with their status and the offending field,
/// anything unexpected as a 500 without internals.</summary>
internal sealed partial class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, extensions) = exception switch
        {
            ApiProblem p => (p.Status, p.Title, p.Message, Extensions(p.Field, p.Errors)),
            KitManifestException m => (StatusCodes.Status400BadRequest, "Invalid kit manifest", m.Message, Extensions("manifest", m.Errors.Select(e => e.ToString()).ToList())),
            KitHookException h => (StatusCodes.Status502BadGateway, "Kit hook failed", h.Message, Extensions(null, null)),
            InvalidInstanceTransitionException t => (StatusCodes.Status409Conflict, "Invalid state change", t.Message, Extensions(null, null)),
            SandboxException s => (StatusCodes.Status503ServiceUnavailable, "Sandbox failure", s.Message, Extensions(null, null)),
            BadHttpRequestException b => (b.StatusCode, "Bad request", b.InnerException is System.Text.Json.JsonException json ? $"{b.Message} {json.Message}" : b.Message, Extensions(BodyField(b), null)),
            _ => (StatusCodes.Status500InternalServerError, "Internal error", "aegisd failed to serve the request; see its log.", Extensions(null, null)),
        };

        if (status >= 500)
        {
            Unexpected(logger, httpContext.Request.Path, exception);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Extensions = extensions },
        });
    }

    /// <summary>The JSON path of a malformed body ("$.config"), else "body".</summary>
    private static string BodyField(BadHttpRequestException exception) =>
        exception.InnerException is System.Text.Json.JsonException { Path: { Length: > 1 } path } ? path : "body";

    private static Dictionary<string, object?> Extensions(string? field, IReadOnlyList<string>? errors)
    {
        var extensions = new Dictionary<string, object?>();
        if (field is not null)
        {
            extensions["field"] = field;
        }

        if (errors is { Count: > 0 })
        {
            extensions["errors"] = errors;
        }

        return extensions;
    }

    [LoggerMessage(1, LogLevel.Error, "Request {Path} failed")]
    private static partial void Unexpected(ILogger logger, PathString path, Exception exception);
}
