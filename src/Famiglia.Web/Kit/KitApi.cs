using Famiglia.Web.Agents;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Kit;

/// <summary><c>GET /agents/availability</c> for <c>validate_config</c> and <c>POST /published</c> for <c>on_publish</c>.</summary>
internal static partial class KitApi
{
    public static RouteGroupBuilder MapKit(this RouteGroupBuilder kit)
    {
        kit.MapGet("/agents/availability", GetAvailabilityAsync)
            .WithSummary("Is the agent name free in the group (case-insensitive) and the XMPP user free? The agent itself does not count.");
        kit.MapPost("/published", PublishedAsync)
            .WithSummary("An agent's Aegis app published a release.");
        return kit;
    }

    /// <summary>
    /// The agent being validated is identified by its XMPP user within the group (it may already have an AgentConfig,
    /// created before its app) or, when given, by its Aegis app id; it never clashes with itself. Names are per group,
    /// XMPP users are per server.
    /// </summary>
    private static async Task<Results<Ok<AgentAvailabilityDto>, ValidationProblem, ProblemHttpResult>> GetAvailabilityAsync(
        string? groupId, string? name, string? slug, string? appId, IDbContextFactory<FamigliaDbContext> db, CancellationToken cancellationToken)
    {
        var missing = new Dictionary<string, string[]>();
        foreach (var (parameter, value) in new[] { ("groupId", groupId), ("name", name), ("slug", slug) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                missing[parameter] = [$"The query parameter '{parameter}' is required."];
            }
        }

        if (missing.Count > 0)
        {
            return TypedResults.ValidationProblem(missing);
        }

        appId = string.IsNullOrWhiteSpace(appId) ? null : appId;
        var wantedName = name!.Trim();
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        if (!await context.Groups.AnyAsync(g => g.Id == groupId, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Group not found", detail: $"There is no group '{groupId}'.");
        }

        var candidates = await context.AgentConfigs.AsNoTracking()
            .Where(a => a.Document!.Room!.GroupId == groupId || a.XmppUser == slug)
            .Select(a => new Candidate(a.Name, a.XmppUser, a.AegisAppId, a.Document!.Room!.GroupId))
            .ToListAsync(cancellationToken);
        var others = candidates.Where(a => !IsSelf(a, groupId!, slug!, appId)).ToList();
        return TypedResults.Ok(new AgentAvailabilityDto(
            NameTaken: others.Any(a => a.GroupId == groupId && string.Equals(a.Name.Trim(), wantedName, StringComparison.OrdinalIgnoreCase)),
            SlugTaken: others.Any(a => a.XmppUser == slug)));
    }

    private static bool IsSelf(Candidate agent, string groupId, string slug, string? appId) =>
        (appId is not null && agent.AegisAppId == appId)
        || (agent.GroupId == groupId && agent.XmppUser == slug && (appId is null || agent.AegisAppId is null));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> PublishedAsync(
        PublishedRequest request, IDbContextFactory<FamigliaDbContext> db, ReleaseRollouts rollouts, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var invalid = new Dictionary<string, string[]>();
        var version = 0;
        if (string.IsNullOrWhiteSpace(request.AppId))
        {
            invalid["appId"] = ["The Aegis app id is required."];
        }

        if (string.IsNullOrWhiteSpace(request.Version))
        {
            invalid["version"] = ["The published version is required."];
        }
        else if (!int.TryParse(request.Version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out version))
        {
            invalid["version"] = [$"The published version must be a release number, not '{request.Version}'."];
        }

        if (invalid.Count > 0)
        {
            return TypedResults.ValidationProblem(invalid);
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var agent = await context.AgentConfigs.FirstOrDefaultAsync(a => a.AegisAppId == request.AppId, cancellationToken);
        if (agent is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Agent not found", detail: $"No agent runs as Aegis app '{request.AppId}'.");
        }

        agent.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await context.SaveChangesAsync(cancellationToken);
        Published(loggers.CreateLogger(typeof(KitApi).FullName!), agent.Name, request.Version!, request.Artifacts?.Count ?? 0);
        // After answering: aegisd's publish is waiting for this hook, and moving a running agent boots a sandbox.
        rollouts.Enqueue(agent.Id, version);
        return TypedResults.NoContent();
    }

    private sealed record Candidate(string Name, string XmppUser, string? AegisAppId, string GroupId);

    [LoggerMessage(1, LogLevel.Information, "Agent {Agent} published version {Version} ({Artifacts} files)")]
    private static partial void Published(ILogger logger, string agent, string version, int artifacts);
}
