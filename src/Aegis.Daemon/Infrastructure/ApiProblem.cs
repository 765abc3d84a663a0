namespace Aegis.Daemon.Infrastructure;

/// <summary>A request that cannot be served, turned into RFC 9457 problem details by <see cref="ProblemMapping"/>.</summary>
internal sealed class ApiProblem(int status, string title, string detail, string? field = null, IReadOnlyList<string>? errors = null)
    : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    /// <summary>The offending field of the request, when one is to blame.</summary>
    public string? Field { get; } = field;

    public IReadOnlyList<string>? Errors { get; } = errors;

    public static ApiProblem NotFound(string what, string id) => new(StatusCodes.Status404NotFound, $"{what} not found", $"There is no {what.ToLowerInvariant()} '{id}'.");

    public static ApiProblem Invalid(string field, string detail) => new(StatusCodes.Status400BadRequest, "Invalid request", detail, field);

    public static ApiProblem Conflict(string title, string detail) => new(StatusCodes.Status409Conflict, title, detail);
}
