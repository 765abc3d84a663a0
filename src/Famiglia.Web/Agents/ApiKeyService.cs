using Famiglia.Web.Infrastructure;
using System.Security.Cryptography;
using System.Text;
using Famiglia.Web.AgentApi;
using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Agents;

/// <summary>Issues and revokes Agent Data API keys. An agent has at most one live key: issuing revokes the previous one.</summary>
internal sealed partial class ApiKeyService(IDbContextFactory<FamigliaDbContext> db, SecretBox secrets, TimeProvider time, ILogger<ApiKeyService> logger)
{
    /// <summary>
    /// A new key for the agent named <paramref name="agentName"/> in the group, creating its AGENT document (in
    /// <paramref name="roomSlug"/>) and AgentConfig on first use.
    /// </summary>
    public async Task<IssuedApiKey> IssueAsync(string groupSlug, string agentName, string roomSlug = "photos", CancellationToken cancellationToken = default)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var group = await context.Groups.SingleOrDefaultAsync(g => g.Slug == groupSlug, cancellationToken)
            ?? throw new InvalidOperationException($"There is no group '{groupSlug}'.");
        var now = time.GetUtcNow().UtcDateTime;
        var key = ApiKeyHasher.NewKey();
        var hash = ApiKeyHasher.Hash(key);

        var agent = await context.AgentConfigs.Include(a => a.Document).ThenInclude(d => d!.Room)
            .SingleOrDefaultAsync(a => a.Name == agentName && a.Document!.Room!.GroupId == group.Id, cancellationToken);
        if (agent is null)
        {
            var room = await context.Rooms.SingleOrDefaultAsync(r => r.GroupId == group.Id && r.Slug == roomSlug, cancellationToken)
                ?? throw new InvalidOperationException($"There is no room '{roomSlug}' in group '{groupSlug}'.");
            var document = new RoomDocument { RoomId = room.Id, Room = room, Type = DocumentType.AGENT, Title = agentName, CreatedAt = now, UpdatedAt = now };
            agent = new AgentConfig
            {
                DocumentId = document.Id,
                Document = document,
                Name = agentName,
                ApiKey = hash,
                XmppUser = await FreeXmppUserAsync(context, "s-" + Slug(agentName), cancellationToken),
                XmppPassword = secrets.Seal(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))),
                CreatedAt = now,
                UpdatedAt = now,
            };
            context.Documents.Add(document);
            context.AgentConfigs.Add(agent);
        }
        else
        {
            await context.ApiKeys.Where(k => k.AgentConfigId == agent.Id && k.RevokedAt == null)
                .ExecuteUpdateAsync(k => k.SetProperty(x => x.RevokedAt, now), cancellationToken);
            agent.ApiKey = hash;
            agent.UpdatedAt = now;
        }

        context.ApiKeys.Add(new ApiKey { AgentConfigId = agent.Id, GroupId = group.Id, Hash = hash, Prefix = key[..12], CreatedAt = now });
        await context.SaveChangesAsync(cancellationToken);
        Issued(logger, agentName, groupSlug);
        return new IssuedApiKey(agent.Id, agentName, groupSlug, agent.Document!.Room!.Slug, key);
    }

    /// <summary>Revokes every live key of the agent; the next request with them is a 401. Returns how many were revoked.</summary>
    public async Task<int> RevokeAsync(string agentName, string? groupSlug = null, CancellationToken cancellationToken = default)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var revoked = await context.ApiKeys
            .Where(k => k.AgentConfig!.Name == agentName && k.RevokedAt == null)
            .Where(k => groupSlug == null || context.Groups.Any(g => g.Id == k.GroupId && g.Slug == groupSlug))
            .ExecuteUpdateAsync(k => k.SetProperty(x => x.RevokedAt, now), cancellationToken);
        Revoked(logger, agentName, revoked);
        return revoked;
    }

    private static async Task<string> FreeXmppUserAsync(FamigliaDbContext context, string wanted, CancellationToken cancellationToken)
    {
        var candidate = wanted;
        for (var n = 2; await context.AgentConfigs.AnyAsync(a => a.XmppUser == candidate, cancellationToken); n++)
        {
            candidate = $"{wanted}-{n}";
        }

        return candidate;
    }

    /// <summary>Lower-case ASCII letters and digits in dash-separated words, at most 40 characters: the kit's XMPP slug
    /// format (<c>s-</c> + this).</summary>
    internal static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var result = slug.ToString().Trim('-');
        result = result.Length > 40 ? result[..40].TrimEnd('-') : result;
        return result.Length == 0 ? "agent" : result;
    }

    [LoggerMessage(1, LogLevel.Information, "Issued an API key for agent {Agent} in group {Group}")]
    private static partial void Issued(ILogger logger, string agent, string group);

    [LoggerMessage(2, LogLevel.Information, "Revoked {Count} API keys of agent {Agent}")]
    private static partial void Revoked(ILogger logger, string agent, int count);
}
