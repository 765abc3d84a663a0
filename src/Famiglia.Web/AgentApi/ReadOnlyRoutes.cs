namespace Famiglia.Web.AgentApi;

/// <summary>Every Data API path answers GET; the mutation verbs get a 405 with <c>Allow: GET</c> after authentication,
/// rate limiting and auditing like any other request.</summary>
internal static class ReadOnlyRoutes
{
    private static readonly string[] MutationVerbs = [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    public static RouteHandlerBuilder MapReadOnly(this RouteGroupBuilder api, string pattern, Delegate handler)
    {
        api.MapMethods(pattern, MutationVerbs, MethodNotAllowed).ExcludeFromDescription();
        return api.MapGet(pattern, handler);
    }

    private static IResult MethodNotAllowed(HttpContext context)
    {
        context.Response.Headers.Allow = HttpMethods.Get;
        return TypedResults.Problem(statusCode: StatusCodes.Status405MethodNotAllowed, title: "Method not allowed", detail: "The Agent Data API is read-only.");
    }
}
