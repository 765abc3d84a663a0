using System.Text.Json;
using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Agents;

/// <summary>What <see cref="AgentLifecycle.UpdateGroupEnvAsync"/> did to the group's agents: those restarted to take the
/// change, and those Aegis could not bring up to date (each with the reason; starting it again completes it).</summary>
internal sealed record GroupEnvOutcome(IReadOnlyList<string> Restarted, IReadOnlyList<(string Agent, string Error)> Failed);

/// <summary>The group's environment: the Famiglia kit's <c>per_workspace</c> secrets (an AI provider key), set once for
/// every agent of the group instead of on each.</summary>
internal sealed partial class AgentLifecycle
{
    /// <summary>
    /// Changes the environment every agent of the group gets (variables in <paramref name="set"/> added or replaced, those
    /// in <paramref name="remove"/> removed; values are never shown again). It is stored first, then each agent's app in
    /// Aegis is brought to it, and an agent that runs with a value this save changed (one its own environment does not
    /// override) is restarted to take it. An agent Aegis refuses is reported, not undone: its next start, or the next
    /// save, brings it up to date.
    /// </summary>
    public async Task<GroupEnvOutcome> UpdateGroupEnvAsync(
        string groupId, IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> remove, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        CheckVariables(set, errors);
        if (errors.Count > 0)
        {
            throw new AgentValidationException(errors);
        }

        List<string> changed;
        await using (var context = await db.CreateDbContextAsync(cancellationToken))
        {
            var group = await context.Groups.SingleOrDefaultAsync(g => g.Id == groupId, cancellationToken)
                ?? throw new AgentOperationException("groupId", "There is no such group.");
            var env = new Dictionary<string, string>(AgentEnv.Parse(secretBox.OpenOrNull(group.AgentEnv)), StringComparer.Ordinal);
            changed = [.. remove.Where(name => !set.ContainsKey(name) && env.Remove(name))];
            foreach (var (name, value) in set)
            {
                if (!env.TryGetValue(name, out var old) || old != value)
                {
                    changed.Add(name);
                }

                env[name] = value;
            }

            group.AgentEnv = env.Count == 0 ? null : secretBox.Seal(JsonSerializer.Serialize(env));
            await context.SaveChangesAsync(cancellationToken);
        }

        GroupEnvChanged(logger, groupId, string.Join(", ", set.Keys), string.Join(", ", remove));
        var restarted = new List<string>();
        var failed = new List<(string, string)>();
        foreach (var agentId in await AgentsOfGroupAsync(groupId, cancellationToken))
        {
            var agent = await GetAsync(agentId, cancellationToken);
            try
            {
                var own = AgentEnv.Parse(secretBox.OpenOrNull(agent.Env));
                if (agent.AegisAppId is not { } appId)
                {
                    continue; // its app is made with the environment as it is then
                }

                await SyncSecretsAsync(appId, ExtraEnvironment(agent, own), cancellationToken);
                if (changed.Any(name => !own.ContainsKey(name)) && AgentStatuses.HasSandbox(agent.Status))
                {
                    await RestartAsync(agentId, cancellationToken);
                    restarted.Add(agent.Name);
                }
            }
            catch (Exception ex) when (ex is AegisException or AgentOperationException or HttpRequestException)
            {
                failed.Add((agent.Name, ex.Message));
            }
        }

        return new GroupEnvOutcome(restarted, failed);
    }

    /// <summary>The names of the group's environment (never their values).</summary>
    public IReadOnlyList<string> GroupEnvNames(Group group) => [.. AgentEnv.Parse(secretBox.OpenOrNull(group.AgentEnv)).Keys.Order(StringComparer.Ordinal)];

    private async Task<List<string>> AgentsOfGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.AgentConfigs.Where(a => a.Document!.Room!.GroupId == groupId).OrderBy(a => a.Name).Select(a => a.Id).ToListAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: agents' environment set {Set}; removed {Removed}")]
    private static partial void GroupEnvChanged(ILogger logger, string group, string set, string removed);
}
