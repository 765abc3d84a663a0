using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.AgentApi;

/// <summary>
/// In front of every <c>/api/agent</c> and <c>/api/agent-runtime</c> request, matched or not: bearer key → agent (401
/// otherwise), the per-agent rate limit of the one or the other and its headers (429 past it), and one audit row with
/// the final status.
/// </summary>
internal sealed partial class AgentApiMiddleware(
    RequestDelegate next,
    IDbContextFactory<FamigliaDbContext> db,
    AgentRateLimiter limiter,
    AuditWriter audit,
    TimeProvider time,
    IProblemDetailsService problems,
    ILogger<AgentApiMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        AgentCaller? caller = null;
        var failed = false;
        try
        {
            caller = await AuthenticateAsync(context);
            if (caller is null)
            {
                return;
            }

            context.Features.Set(caller);
            var policy = context.Request.Path.StartsWithSegments(AgentApiSetup.BasePath) ? AgentRateLimiter.DataPolicy : AgentRateLimiter.RuntimePolicy;
            if (limiter.TryAcquire(caller, policy) is { } decision)
            {
                decision.WriteHeaders(context.Response.Headers);
                if (!decision.Allowed)
                {
                    RateLimited(logger, caller.AgentName);
                    context.Response.Headers.RetryAfter = decision.ResetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
                        $"This agent may make {decision.Limit} requests per {decision.Window.TotalSeconds:0} seconds; retry after {decision.ResetSeconds} s.");
                    return;
                }
            }

            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            audit.Write(new AuditLog
            {
                AgentConfigId = caller?.AgentConfigId,
                ApiKeyId = caller?.ApiKeyId,
                GroupId = caller?.GroupId,
                Method = context.Request.Method,
                Endpoint = context.Request.Path.Value + context.Request.QueryString.Value,
                Status = failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode,
                At = time.GetUtcNow().UtcDateTime,
            });
        }
    }

    /// <summary>The caller, or null after writing the 401. Looked up on every request, so a revocation holds from the next one.</summary>
    private async Task<AgentCaller?> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"famiglia\"";
            await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Send the agent's API key as 'Authorization: Bearer {key}'.");
            return null;
        }

        var hash = ApiKeyHasher.Hash(header["Bearer ".Length..].Trim());
        await using var database = await db.CreateDbContextAsync(context.RequestAborted);
        var caller = await database.ApiKeys.AsNoTracking()
            .Where(k => k.Hash == hash && k.RevokedAt == null)
            .Select(k => new AgentCaller(k.AgentConfigId, k.AgentConfig!.Name, k.Id, k.GroupId, k.AgentConfig.Document!.RoomId))
            .SingleOrDefaultAsync(context.RequestAborted);
        if (caller is null)
        {
            KeyRejected(logger);
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"famiglia\", error=\"invalid_token\", error_description=\"The API key is unknown or revoked.\"";
            await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "The API key is unknown or revoked.");
        }

        return caller;
    }

    private async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(1, LogLevel.Information, "Agent Data API request with an unknown or revoked key")]
    private static partial void KeyRejected(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Agent {Agent} is over its rate limit")]
    private static partial void RateLimited(ILogger logger, string agent);
}
