using Microsoft.AspNetCore.Http.HttpResults;

namespace Famiglia.Web.AgentApi;

/// <summary>The one 404 of the API: the same answer whether the id does not exist or belongs to another group.</summary>
internal static class NotFoundProblem
{
    public static ProblemHttpResult For(string what, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: $"There is no {what.ToLowerInvariant()} '{id}' in this group.");
}
