namespace Famiglia.Web.Kit;

/// <summary>In front of every <c>/api/kit</c> request, matched or not: <c>Authorization: Bearer {kit token}</c>, else 401.</summary>
internal sealed partial class KitTokenMiddleware(RequestDelegate next, KitToken token, IProblemDetailsService problems, ILogger<KitTokenMiddleware> logger)
{
    private const string Scheme = "Bearer ";

    public async Task InvokeAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && token.Matches(header[Scheme.Length..].Trim()))
        {
            await next(context);
            return;
        }

        Rejected(logger, context.Request.Method, context.Request.Path);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"famiglia-kit\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = $"Send famiglia-web's kit token (the file {KitToken.FileName} in its data directory) as 'Authorization: Bearer {{token}}'.",
            },
        });
    }

    [LoggerMessage(1, LogLevel.Warning, "Kit API request {Method} {Path} without the kit token")]
    private static partial void Rejected(ILogger logger, string method, PathString path);
}
