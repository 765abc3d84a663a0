using Famiglia.Web.Infrastructure;
using System.Linq.Expressions;
using System.Text.Json;
using Famiglia.Web.AgentApi;
using Famiglia.Web.Chat;
using Famiglia.Web.Spaces;
using Famiglia.Xmpp.Admin;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Agents;

/// <summary>
/// Spec §7.3: what a person does with an agent and the Aegis call it becomes. Every step is idempotent, and a
/// failure half-way leaves a state that calling the same operation again completes.
/// </summary>
internal sealed partial class AgentLifecycle(
    IDbContextFactory<FamigliaDbContext> db,
    ApiKeyService keys,
    AegisClient aegis,
    EjabberdAdminClient ejabberd,
    ChatAddresses addresses,
    ChatNotifier notifier,
    AgentTemplates templates,
    SecretBox secretBox,
    TimeProvider time,
    ILogger<AgentLifecycle> logger)
{
    private readonly AgentLocks _locks = new();

    /// <summary>
    /// Create Agent Document → AgentConfig (STOPPED) with a generated API key and XMPP credentials → the XMPP account,
    /// <c>member</c> affiliation in a PARTICIPANTS_ONLY room → <c>POST /v1/apps</c> → <c>aegisAppId</c>.
    /// </summary>
    /// <param name="env">Extra environment variables (AI keys, MCP config), passed to Aegis as secrets.</param>
    public async Task<AgentConfig> CreateAsync(string roomId, string name, string template, IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken)
    {
        name = name.Trim();
        var errors = new Dictionary<string, string[]>();
        if (name.Length is 0 or > 80)
        {
            errors["name"] = ["The name is required and at most 80 characters."];
        }

        if (!templates.Exists(template))
        {
            errors["template"] = [$"Unknown template '{template}'; choose one of {string.Join(", ", templates.All.Select(t => t.Key))}."];
        }

        CheckVariables(env, errors);
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var room = await context.Rooms.Include(r => r.Group).SingleOrDefaultAsync(r => r.Id == roomId, cancellationToken)
            ?? throw new AgentOperationException("roomId", "There is no such room.");
        if (errors.Count == 0 && await context.AgentConfigs.AnyAsync(a => a.Document!.Room!.GroupId == room.GroupId && a.Name.ToLower() == name.ToLower(), cancellationToken))
        {
            errors["name"] = [$"The group already has an agent named '{name}'."];
        }

        if (errors.Count > 0)
        {
            throw new AgentValidationException(errors);
        }

        var issued = await keys.IssueAsync(room.Group!.Slug, name, room.Slug, cancellationToken);
        var agent = await context.AgentConfigs.Include(a => a.Document).SingleAsync(a => a.Id == issued.AgentConfigId, cancellationToken);
        agent.Env = env.Count == 0 ? null : secretBox.Seal(JsonSerializer.Serialize(env));
        agent.Description = templates.Get(template).Description;
        agent.CanvasEnabled = templates.Get(template).Canvas;
        agent.Document!.Title = name;
        await context.SaveChangesAsync(cancellationToken);
        Created(logger, name, room.Slug);
        try
        {
            await ProvisionAsync(agent.Id, template, issued.Key, cancellationToken);
        }
        catch (AegisException ex) when (ex.Status == StatusCodes.Status409Conflict)
        {
            // The kit's max_agents_per_group, which aegisd keeps: undo the creation instead of leaving an agent that
            // can never start.
            await DeleteAsync(agent.Id, cancellationToken);
            throw new AgentValidationException(new Dictionary<string, string[]>
            {
                [""] = ["The group already has as many agents as the Famiglia kit allows (max_agents_per_group); delete one to make room."],
            });
        }

        return await GetAsync(agent.Id, cancellationToken);
    }

    /// <summary>Completes a creation that stopped half-way (XMPP account, affiliation, Aegis app); a new key is issued.</summary>
    public async Task ProvisionAsync(string agentId, string? template, string? apiKey, CancellationToken cancellationToken)
    {
        var agent = await GetAsync(agentId, cancellationToken);
        var room = agent.Document!.Room!;
        if (apiKey is null)
        {
            apiKey = (await keys.IssueAsync(room.Group!.Slug, agent.Name, room.Slug, cancellationToken)).Key;
        }

        var xmppPassword = secretBox.Open(agent.XmppPassword);
        await ejabberd.RegisterAsync(agent.XmppUser, addresses.Domain, xmppPassword, cancellationToken);
        if (room.Visibility == RoomVisibility.PARTICIPANTS_ONLY)
        {
            await ejabberd.SetRoomAffiliationAsync(ChatAddresses.RoomName(room.Slug, room.Group!.Slug), addresses.MucService,
                $"{agent.XmppUser}@{addresses.Domain}", "member", cancellationToken);
        }

        // The kit's own secrets (KitSecrets) on top of the group's and the agent's extra environment.
        var secrets = ExtraEnvironment(agent, AgentEnv.Parse(secretBox.OpenOrNull(agent.Env)));
        secrets["FAMIGLIA_API_KEY"] = apiKey;
        secrets["XMPP_USER"] = agent.XmppUser;
        secrets["XMPP_PASSWORD"] = xmppPassword;
        if (agent.AegisAppId is null)
        {
            var config = new
            {
                name = agent.Name,
                slug = agent.XmppUser,
                group = room.GroupId,
                groupId = room.GroupId,
                groupSlug = room.Group!.Slug,
                roomId = room.Id,
                roomSlug = room.Slug,
                thread = agent.Document.CrdtKey,
                template = template ?? TemplateOf(agent),
            };
            var appId = await aegis.CreateAppAsync(agent.XmppUser, config, secrets, cancellationToken);
            await UpdateAsync(agentId, a => a.AegisAppId = appId, cancellationToken);
        }
        else
        {
            await SyncSecretsAsync(agent.AegisAppId, secrets, cancellationToken);
        }
    }

    /// <summary>Start Agent → <c>ensure</c>. Remembers that the person wants it running (so opening its tab later wakes it).</summary>
    public async Task<AgentConfig> StartAsync(string agentId, CancellationToken cancellationToken)
    {
        using var held = await _locks.EnterAsync(agentId, cancellationToken);
        var agent = await GetAsync(agentId, cancellationToken);
        if (agent.AegisAppId is null)
        {
            await ProvisionAsync(agentId, null, null, cancellationToken);
        }

        await UpdateAsync(agentId, a =>
        {
            a.StartedAt = time.GetUtcNow().UtcDateTime;
            a.Status = a.Status is AgentStatus.RUNNING ? AgentStatus.RUNNING : AgentStatus.STARTING;
        }, cancellationToken);
        return await EnsureAsync(agentId, releaseId: null, cancellationToken);
    }

    /// <summary>Opening the agent's tab or returning to the room: <c>ensure</c> when the person last started it
    /// (resumes a paused instance, restores a terminated one); nothing when they stopped it.</summary>
    public async Task<bool> EnsureIfWantedAsync(string agentId, CancellationToken cancellationToken)
    {
        using var held = await _locks.EnterAsync(agentId, cancellationToken);
        var agent = await GetAsync(agentId, cancellationToken);
        if (!WantsRunning(agent) || agent.AegisAppId is null || agent.Status == AgentStatus.RUNNING)
        {
            return false;
        }

        await EnsureAsync(agentId, releaseId: null, cancellationToken);
        return true;
    }

    /// <summary>Stop Agent → the app is no longer served (an open canvas does not wake it again), then every live
    /// instance of it is terminated.</summary>
    public async Task<AgentConfig> StopAsync(string agentId, CancellationToken cancellationToken)
    {
        // After an ensure under way (it may be booting an instance aegisd does not list yet), so the Stop ends it.
        using var held = await _locks.EnterAsync(agentId, cancellationToken);
        var agent = await UpdateAsync(agentId, a => a.StoppedAt = time.GetUtcNow().UtcDateTime, cancellationToken);
        if (agent.AegisAppId is not null)
        {
            await aegis.SetServedAsync(agent.AegisAppId, served: false, cancellationToken);
            foreach (var (instanceId, _) in await aegis.LiveInstancesAsync(agent.AegisAppId, cancellationToken))
            {
                await aegis.TerminateAsync(instanceId, cancellationToken);
            }
        }

        agent = await UpdateAsync(agentId, a =>
        {
            a.Status = AgentStatus.STOPPED;
            a.AegisInstanceId = null;
        }, cancellationToken);
        await notifier.AgentStatusAsync(agent.Document!.RoomId, agent.Id, agent.Status, cancellationToken);
        return agent;
    }

    /// <summary>Delete → terminate, unregister the XMPP user, revoke the key, remove the app, then the document.</summary>
    public async Task DeleteAsync(string agentId, CancellationToken cancellationToken)
    {
        var agent = await StopAsync(agentId, cancellationToken);
        await ejabberd.UnregisterAsync(agent.XmppUser, addresses.Domain, cancellationToken);
        await keys.RevokeAsync(agent.Name, agent.Document!.Room!.Group!.Slug, cancellationToken);
        if (agent.AegisAppId is not null)
        {
            await aegis.DeleteAppAsync(agent.AegisAppId, cancellationToken);
            await UpdateAsync(agentId, a => a.AegisAppId = null, cancellationToken);
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        await context.AgentConfigs.Where(a => a.Id == agentId).ExecuteDeleteAsync(cancellationToken);
        await context.Documents.Where(d => d.Id == agent.DocumentId).ExecuteDeleteAsync(cancellationToken);
        Deleted(logger, agent.Name);
    }

    /// <summary>A new Data API key (the old one stops working at once); the sandbox gets it at its next boot, so a
    /// running agent is restarted.</summary>
    public async Task RegenerateKeyAsync(string agentId, CancellationToken cancellationToken)
    {
        var agent = await GetAsync(agentId, cancellationToken);
        var wasRunning = AgentStatuses.HasSandbox(agent.Status);
        await ProvisionAsync(agentId, null, null, cancellationToken);
        if (wasRunning)
        {
            await RestartAsync(agentId, cancellationToken);
        }
    }

    /// <summary>
    /// The agent's app published release <paramref name="version"/> (the kit's <c>on_publish</c>): an agent the person
    /// keeps running moves to it now, its live instance replaced by one booted on the release (aegisd's ensure with a
    /// release). A stopped agent, or one whose instance idled out, has nothing to replace: its next start boots the newest
    /// release anyway. Returns whether an instance was replaced.
    /// </summary>
    public async Task<bool> RollOutAsync(string agentId, int version, CancellationToken cancellationToken)
    {
        using var held = await _locks.EnterAsync(agentId, cancellationToken);
        var agent = await GetAsync(agentId, cancellationToken);
        if (!WantsRunning(agent) || agent.AegisAppId is not { } appId || (await aegis.LiveInstancesAsync(appId, cancellationToken)).Count == 0)
        {
            RollOutAtNextStart(logger, agent.Name, version);
            return false;
        }

        if (await aegis.ReleaseIdAsync(appId, version, cancellationToken) is not { } releaseId)
        {
            // Published and pruned again before we got here: a newer one is on its way.
            RollOutAtNextStart(logger, agent.Name, version);
            return false;
        }

        await EnsureAsync(agentId, releaseId, cancellationToken);
        RolledOut(logger, agent.Name, version);
        return true;
    }

    /// <summary>Stops the agent and starts it again: a new boot, with its environment as stored now.</summary>
    public async Task RestartAsync(string agentId, CancellationToken cancellationToken)
    {
        await StopAsync(agentId, cancellationToken);
        await StartAsync(agentId, cancellationToken);
    }

    /// <summary>
    /// Changes an agent's settings: whether its tab shows a canvas, and its extra environment (variables in
    /// <paramref name="set"/> are added or replaced, those in <paramref name="remove"/> removed; values are never shown
    /// again). The sandbox gets the environment at its next boot: true when the agent runs with an environment this save
    /// changed, and so needs a <see cref="RestartAsync"/>. Aegis is updated before anything is stored here, so a save
    /// that fails stores nothing and the same save again is the whole change again.
    /// </summary>
    public async Task<bool> UpdateSettingsAsync(
        string agentId, bool canvasEnabled, IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> remove, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        CheckVariables(set, errors);
        if (errors.Count > 0)
        {
            throw new AgentValidationException(errors);
        }

        var agent = await GetAsync(agentId, cancellationToken);
        var env = new Dictionary<string, string>(AgentEnv.Parse(secretBox.OpenOrNull(agent.Env)), StringComparer.Ordinal);
        var removed = remove.Where(name => !set.ContainsKey(name) && env.Remove(name)).ToList();
        foreach (var (name, value) in set)
        {
            env[name] = value;
        }

        // aegisd is brought to the whole environment, whatever this save changed, so secrets left behind by an earlier
        // failure (or set by hand) go too.
        var envChanged = set.Count > 0 || removed.Count > 0;
        if (agent.AegisAppId is { } appId)
        {
            await SyncSecretsAsync(appId, ExtraEnvironment(agent, env), cancellationToken);
        }

        await UpdateAsync(agentId, a =>
        {
            a.CanvasEnabled = canvasEnabled;
            if (envChanged)
            {
                a.Env = env.Count == 0 ? null : secretBox.Seal(JsonSerializer.Serialize(env));
            }
        }, cancellationToken);
        if (!envChanged || agent.AegisAppId is null)
        {
            return false; // an agent without an app yet gets its app made with the environment as it is now
        }

        SettingsChanged(logger, agent.Name, string.Join(", ", set.Keys), string.Join(", ", removed));
        return AgentStatuses.HasSandbox(agent.Status);
    }

    /// <summary>Which code the agent runs and will run, for its settings: the release of its live instance, and the newest
    /// one published (<c>aegis app publish</c>); and what its sandbox uses now.</summary>
    public async Task<AgentCode> CodeAsync(AgentConfig agent, CancellationToken cancellationToken)
    {
        if (agent.AegisAppId is not { } appId)
        {
            return new AgentCode(Live: false, Running: null, Newest: null);
        }

        var releases = await aegis.ReleasesAsync(appId, cancellationToken);
        var instance = agent.AegisInstanceId is { } instanceId ? await aegis.InstanceAsync(instanceId, cancellationToken) : null;
        var running = instance?.ReleaseId;
        return new AgentCode(
            Live: agent.AegisInstanceId is not null && agent.Status is not AgentStatus.STOPPED,
            Running: running is null ? null : releases.Where(r => r.ReleaseId == running).Select(r => (int?)r.Version).FirstOrDefault(),
            Newest: releases.Count == 0 ? null : releases[0].Version,
            Usage: instance?.Usage);
    }

    /// <summary>The names of the agent's extra environment variables (never their values).</summary>
    public IReadOnlyList<string> EnvNames(AgentConfig agent) => [.. AgentEnv.Parse(secretBox.OpenOrNull(agent.Env)).Keys.Order(StringComparer.Ordinal)];

    /// <summary>For group admins: the log of the agent's current instance and of its last ended one (the one that crashed,
    /// was stopped or idled out: opening the room may already have started a new one), each headed by the instance and
    /// how it ended (aegisd keeps both). Empty before its first start.</summary>
    public async Task<string> LogsAsync(string agentId, CancellationToken cancellationToken)
    {
        var agent = await GetAsync(agentId, cancellationToken);
        if (agent.AegisAppId is not { } appId)
        {
            return "";
        }

        var log = new System.Text.StringBuilder();
        foreach (var instance in await aegis.RecentInstancesAsync(appId, agent.AegisInstanceId, cancellationToken))
        {
            var how = instance.Reason is null ? instance.State : $"{instance.State}: {instance.Reason}";
            log.Append(log.Length == 0 ? "" : "\n").Append($"[instance {instance.InstanceId}, {how}]\n")
                .Append(await aegis.LogsAsync(instance.InstanceId, cancellationToken));
        }

        return log.ToString();
    }

    public async Task<AgentConfig> GetAsync(string agentId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.AgentConfigs.AsNoTracking()
            .Include(a => a.Document).ThenInclude(d => d!.Room).ThenInclude(r => r!.Group)
            .SingleOrDefaultAsync(a => a.Id == agentId, cancellationToken)
            ?? throw new AgentOperationException("agentId", "There is no such agent.");
    }

    /// <summary>The person last pressed Start (not Stop).</summary>
    public static bool WantsRunning(AgentConfig agent) =>
        agent.StartedAt is { } started && (agent.StoppedAt is not { } stopped || started > stopped);

    /// <summary><see cref="WantsRunning"/> as the database evaluates it. What aegisd reports is written with it in the
    /// write's own WHERE, so a Stop committed after an instance's state was read, and before it is written, wins: a read,
    /// a check in memory and a save would put the stopped agent back to RUNNING.</summary>
    public static readonly Expression<Func<AgentConfig, bool>> WantsRunningInDatabase =
        a => a.StartedAt != null && (a.StoppedAt == null || a.StartedAt > a.StoppedAt);

    private async Task<AgentConfig> EnsureAsync(string agentId, string? releaseId, CancellationToken cancellationToken)
    {
        var agent = await GetAsync(agentId, cancellationToken);
        try
        {
            // Served: while the person wants it running, opening its canvas wakes it after an idle pause or terminate.
            await aegis.SetServedAsync(agent.AegisAppId!, served: true, cancellationToken);
            var (instanceId, state) = await aegis.EnsureAsync(agent.AegisAppId!, releaseId, cancellationToken);
            var status = AgentStatuses.FromInstanceState(state) ?? agent.Status;
            bool wrote;
            await using (var context = await db.CreateDbContextAsync(cancellationToken))
            {
                wrote = await WriteEnsuredAsync(context, agentId, agent.UpdatedAt, status, instanceId, time.GetUtcNow().UtcDateTime, cancellationToken);
            }

            agent = await GetAsync(agentId, cancellationToken);
            if (wrote)
            {
                // Otherwise the event listener wrote what happened, and told the room's pages each time: a status told
                // here now could reach them after a newer one.
                await notifier.AgentStatusAsync(agent.Document!.RoomId, agent.Id, agent.Status, cancellationToken);
            }
        }
        catch (AegisException ex)
        {
            EnsureFailed(logger, agent.Name, ex.Message);
            agent = await UpdateAsync(agentId, a => a.Status = AgentStatus.ERROR, cancellationToken);
            await notifier.AgentStatusAsync(agent.Document!.RoomId, agent.Id, agent.Status, cancellationToken);
            throw;
        }

        return agent;
    }

    /// <summary>
    /// Writes what an ensure returned, unless (checked by the database in the write itself):
    /// <list type="bullet">
    /// <item>the person pressed Stop while aegisd was booting it (the Stop terminates what this ensure made);</item>
    /// <item>the row was written since the ensure began (<paramref name="updatedBefore"/> is its <c>UpdatedAt</c> then;
    /// compared as a version, so a resume, a pause and a resume again are seen as changes): aegisd's events moved the
    /// agent on, and they are newer than the ensure's answer (a resume's "running" can arrive after the pause that
    /// followed it); the event listener writes every state, so the agent ends where aegisd says. Except that the row says
    /// the ensure's own instance is booting: that came before the answer (an instance boots once).</item>
    /// </list>
    /// False when nothing was written.
    /// </summary>
    internal static async Task<bool> WriteEnsuredAsync(
        FamigliaDbContext context, string agentId, DateTime updatedBefore, AgentStatus status, string instanceId, DateTime now, CancellationToken cancellationToken) =>
        await context.AgentConfigs
            .Where(a => a.Id == agentId)
            .Where(a => a.UpdatedAt == updatedBefore || (a.Status == AgentStatus.STARTING && a.AegisInstanceId == instanceId))
            .Where(WantsRunningInDatabase)
            .ExecuteUpdateAsync(set => set
                .SetProperty(a => a.AegisInstanceId, instanceId)
                .SetProperty(a => a.Status, status)
                .SetProperty(a => a.UpdatedAt, now), cancellationToken) > 0;

    private async Task<AgentConfig> UpdateAsync(string agentId, Action<AgentConfig> change, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var agent = await context.AgentConfigs
            .Include(a => a.Document).ThenInclude(d => d!.Room).ThenInclude(r => r!.Group)
            .SingleOrDefaultAsync(a => a.Id == agentId, cancellationToken)
            ?? throw new AgentOperationException("agentId", "There is no such agent.");
        change(agent);
        agent.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await context.SaveChangesAsync(cancellationToken);
        return agent;
    }

    /// <summary>The secrets famiglia-web gives every agent's app besides its extra environment (<see cref="ProvisionAsync"/>).</summary>
    private static readonly string[] KitSecrets = ["FAMIGLIA_API_KEY", "XMPP_USER", "XMPP_PASSWORD"];

    /// <summary>What the agent's sandbox gets besides the kit's secrets: its group's environment, under the agent's own
    /// <paramref name="agentEnv"/> (the agent's value wins).</summary>
    private Dictionary<string, string> ExtraEnvironment(AgentConfig agent, IReadOnlyDictionary<string, string> agentEnv)
    {
        var env = new Dictionary<string, string>(AgentEnv.Parse(secretBox.OpenOrNull(agent.Document!.Room!.Group!.AgentEnv)), StringComparer.Ordinal);
        foreach (var (name, value) in agentEnv)
        {
            env[name] = value;
        }

        return env;
    }

    /// <summary>Brings the app's secrets in aegisd to exactly <paramref name="secrets"/> plus the kit's own: sets them, then
    /// removes every other name (left by an earlier failure, a removed variable, or set by hand).</summary>
    private async Task SyncSecretsAsync(string appId, IReadOnlyDictionary<string, string> secrets, CancellationToken cancellationToken)
    {
        if (secrets.Count > 0)
        {
            await aegis.SetSecretsAsync(appId, secrets, cancellationToken);
        }

        foreach (var name in (await aegis.SecretNamesAsync(appId, cancellationToken)).Where(n => !secrets.ContainsKey(n) && !KitSecrets.Contains(n)))
        {
            await aegis.DeleteSecretAsync(appId, name, cancellationToken);
        }
    }

    /// <summary>Checks the variables a person sets: their names, and the values of the harness's own settings (a value the
    /// harness refuses would keep the agent from starting).</summary>
    private static void CheckVariables(IReadOnlyDictionary<string, string> variables, Dictionary<string, string[]> errors)
    {
        foreach (var variable in variables.Keys.Where(k => !AgentEnv.IsValidName(k) || AgentEnv.Reserved.Contains(k)))
        {
            errors["env"] = [$"'{variable}' cannot be set: names are letters, digits and _, and the kit's own variables are reserved."];
        }

        if (AgentEnv.CheckHarnessSetting(variables) is { } problem)
        {
            errors["env"] = [problem];
        }
    }

    private string TemplateOf(AgentConfig agent) =>
        templates.All.FirstOrDefault(t => t.Description == agent.Description)?.Key ?? AgentTemplates.Default;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created agent {Agent} in room {Room}")]
    private static partial void Created(ILogger logger, string agent, string room);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent}: environment set {Set}; removed {Removed}")]
    private static partial void SettingsChanged(ILogger logger, string agent, string set, string removed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} now runs version {Version}")]
    private static partial void RolledOut(ILogger logger, string agent, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} runs version {Version} from its next start")]
    private static partial void RollOutAtNextStart(ILogger logger, string agent, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted agent {Agent}")]
    private static partial void Deleted(ILogger logger, string agent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not start agent {Agent}: {Error}")]
    private static partial void EnsureFailed(ILogger logger, string agent, string error);
}

/// <summary>Which code an agent runs: <see cref="Running"/> is the release version of its live instance (null: its
/// template, or a release no longer listed), <see cref="Newest"/> the newest published (null: none); and
/// <see cref="Usage"/>, what its live instance's sandbox uses (null: none, or not reported).</summary>
internal sealed record AgentCode(bool Live, int? Running, int? Newest, InstanceUsage? Usage = null)
{
    public override string ToString() => (Live, Running, Newest) switch
    {
        (true, { } running, { } newest) when newest > running => $"Runs version {running} of its published code; version {newest} runs from its next start.",
        (true, { } running, _) => $"Runs version {running} of its published code.",
        (true, null, { } newest) => $"Runs its template; version {newest} of its published code runs from its next start.",
        (true, null, null) => "Runs its template (nothing published).",
        (false, _, { } newest) => $"Not running; it starts on version {newest} of its published code.",
        (false, _, null) => "Not running; it starts on its template (nothing published).",
    };
}

/// <summary>A lifecycle call that cannot proceed; <see cref="Field"/> names the input at fault.</summary>
internal sealed class AgentOperationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>The inputs of Create Agent are invalid; one message per field.</summary>
internal sealed class AgentValidationException(IDictionary<string, string[]> errors) : Exception("The agent's settings are invalid.")
{
    public IDictionary<string, string[]> Errors { get; } = errors;
}
