using System.Text.Json;
using Famiglia.Web.AgentApi;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Agents;

/// <summary>
/// The runtime endpoint beside the read-only Data API, for the harness inside the sandbox: heartbeats. Same key,
/// same authentication and audit as <c>/api/agent</c>, and a rate limit of its own (the same size).
/// </summary>
internal static partial class AgentRuntimeApi
{
    public const string BasePath = "/api/agent-runtime";

    public static void MapAgentRuntime(this WebApplication app)
    {
        var runtime = app.MapGroup(BasePath).WithTags("Agent runtime");
        runtime.MapPost("/heartbeat", HeartbeatAsync)
            .WithSummary("The harness reports that the agent is alive; sets the agent's lastHeartbeat.");
        runtime.MapPost("/canvas-version", CanvasVersionAsync)
            .WithSummary("The harness reports a canvas version bump; browsers showing the agent's tab reload its canvas.");
        runtime.MapGet("/self", SelfAsync)
            .WithSummary("Since when the agent's person keeps it running (null when stopped): the harness answers the room's main chat from then on, across idle pauses and terminates.");
    }

    private static async Task<Ok<SelfBody>> SelfAsync(AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var agent = await context.AgentConfigs.AsNoTracking().SingleAsync(a => a.Id == caller.AgentConfigId, cancellationToken);
        return TypedResults.Ok(new SelfBody(AgentLifecycle.WantsRunning(agent) ? DateTime.SpecifyKind(agent.StartedAt!.Value, DateTimeKind.Utc) : null));
    }

    /// <summary>The answer of <c>GET /self</c>: the person's last Start while they keep the agent running, else null.</summary>
    internal sealed record SelfBody(DateTime? RunningSince);

    private static async Task<Results<NoContent, ValidationProblem>> CanvasVersionAsync(
        HttpRequest request, AgentCaller caller, Chat.ChatNotifier notifier, Chat.CanvasVersions versions, CancellationToken cancellationToken)
    {
        long? version = null;
        try
        {
            using var json = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("version", out var v) && v.TryGetInt64(out var n) && n > 0)
            {
                version = n;
            }
        }
        catch (JsonException)
        {
        }

        if (version is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["version"] = ["The body must be {\"version\": N} with N a positive integer."] });
        }

        versions.Report(caller.AgentConfigId, version.Value);
        await notifier.CanvasVersionAsync(caller.RoomId, caller.AgentConfigId, version.Value, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem>> HeartbeatAsync(
        HttpRequest request, AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var report = await ReadReportAsync(request, cancellationToken);
        if (report.Error is { } error)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [error] });
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        await context.AgentConfigs.Where(a => a.Id == caller.AgentConfigId)
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.LastHeartbeat, now).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        if (report.Ok == false)
        {
            Unhealthy(loggers.CreateLogger(typeof(AgentRuntimeApi).FullName!), caller.AgentName, report.Detail ?? "");
        }

        return TypedResults.NoContent();
    }

    private static async Task<(bool? Ok, string? Detail, string? Error)> ReadReportAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return (null, null, null);
        }

        try
        {
            using var json = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null, "The heartbeat body must be a JSON object.");
            }

            bool? ok = json.RootElement.TryGetProperty("ok", out var okValue) && okValue.ValueKind is JsonValueKind.True or JsonValueKind.False ? okValue.GetBoolean() : null;
            var detail = json.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return (ok, detail is { Length: > 500 } ? detail[..500] : detail, null);
        }
        catch (JsonException ex)
        {
            return (null, null, $"The heartbeat body is not JSON: {ex.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {Agent} reports it is unhealthy: {Detail}")]
    private static partial void Unhealthy(ILogger logger, string agent, string detail);
}
