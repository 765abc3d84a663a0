using Famiglia.Web.Agents;
using Famiglia.Web.Auth;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Ui.Pages;

/// <summary>
/// A room with its tab bar (spec §6.3): <c>[Chat] [agent…] [Notes] [+]</c>. The Chat tab is the room's main chat; an
/// agent tab is the agent's canvas (an iframe on aegisd's router, another origin) above its thread; <c>+</c> creates an
/// agent from a template. Opening the room or an agent's tab wakes the agents the people started (spec §7.3).
/// </summary>
internal sealed partial class RoomModel(
    SpaceQueries spaces,
    AgentLifecycle agents,
    AgentTemplates templates,
    IOptions<AegisOptions> aegis,
    Chat.CanvasVersions canvasVersions,
    ILogger<RoomModel> logger) : PageModel
{
    public Group Group { get; private set; } = null!;

    public Room Room { get; private set; } = null!;

    public MemberRole Role { get; private set; }

    public bool IsAdmin => Role is MemberRole.OWNER or MemberRole.ADMIN;

    public List<AgentConfig> Agents { get; private set; } = [];

    public List<RoomDocument> Notes { get; private set; } = [];

    /// <summary><c>chat</c>, <c>notes</c>, <c>new</c>, or an agent's id.</summary>
    public string Tab { get; private set; } = "chat";

    public AgentConfig? Agent { get; private set; }

    public IReadOnlyList<AgentTemplate> Templates => templates.All;

    public string? Logs { get; private set; }

    /// <summary>The agent's settings panel is open (group admins).</summary>
    public bool ShowSettings { get; private set; }

    /// <summary>Which code the agent runs (template or published version), for the settings panel.</summary>
    public string? Code { get; private set; }

    /// <summary>What the agent's sandbox uses now (memory, CPU), for its settings; null when it has none.</summary>
    public string? Usage { get; private set; }

    /// <summary>The names of the agent's extra environment variables, for the settings panel.</summary>
    public IReadOnlyList<string> EnvNames { get; private set; } = [];

    [BindProperty]
    public AgentSettingsForm Settings { get; set; } = new();

    [TempData]
    public string? Notice { get; set; }

    /// <summary>The agent whose Start or Stop the <see cref="Notice"/> reports, and the statuses (comma-separated) that make
    /// it untrue, e.g. a Stop from another window after "started": the page drops the notice when one arrives live.</summary>
    [TempData]
    public string? NoticeAgent { get; set; }

    [TempData]
    public string? NoticeOutdatedBy { get; set; }

    [BindProperty]
    public NewAgentForm NewAgent { get; set; } = new();

    public string CanvasUrl(AgentConfig agent) => new Uri(aegis.Value.PublicUrl, $"/agent/{agent.AegisAppId}/index.html").ToString();

    /// <summary>The agent's canvas version as last reported, rendered into its frame (absent when none was).</summary>
    public long? CanvasVersion(AgentConfig agent) => canvasVersions.Of(agent.Id);

    public static bool WantsRunning(AgentConfig agent) => AgentLifecycle.WantsRunning(agent);

    /// <summary>Start does nothing for an agent that runs, starts or is paused (a tab wakes it); it retries one in
    /// error. room.js applies the same rule to live status changes.</summary>
    public static bool CanStart(AgentConfig agent) => !AgentStatuses.HasSandbox(agent.Status);

    public static bool CanStop(AgentConfig agent) => agent.Status is not AgentStatus.STOPPED;

    /// <summary>What the message box says: the room, the agent, or that a stopped agent answers once started.</summary>
    public string ComposerPlaceholder => Agent switch
    {
        null => $"Message #{Room.Slug}",
        var agent when WantsRunning(agent) => $"Message {agent.Name}",
        var agent => $"Message {agent.Name} (stopped: it answers when started)",
    };

    public async Task<IActionResult> OnGetAsync(string group, string room, string? tab, bool logs, bool settings, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(group, room, tab, cancellationToken))
        {
            return NotFound();
        }

        // Opening an agent's tab, or coming back to the room: wake what people started (no-op for stopped agents).
        foreach (var agent in Agent is null ? Agents : [Agent])
        {
            _ = WakeAsync(agent);
        }

        if (logs && Agent is not null && IsAdmin)
        {
            Logs = await agents.LogsAsync(Agent.Id, cancellationToken);
        }

        if (settings && Agent is not null && IsAdmin)
        {
            await OpenSettingsAsync(Agent);
            Settings.Canvas = Agent.CanvasEnabled;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostSettingsAsync(string group, string room, string tab, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(group, room, tab, cancellationToken) || Agent is null)
        {
            return NotFound();
        }

        if (!IsAdmin)
        {
            return Forbid();
        }

        var set = AgentEnv.FromLines(Settings.Env, out var envError);
        if (envError is not null)
        {
            ModelState.AddModelError("Settings.Env", envError);
            await OpenSettingsAsync(Agent);
            return Page();
        }

        bool restart;
        try
        {
            restart = await agents.UpdateSettingsAsync(Agent.Id, Settings.Canvas, set, Settings.Remove, cancellationToken);
        }
        catch (AgentValidationException ex)
        {
            foreach (var message in ex.Errors.Values.SelectMany(m => m))
            {
                ModelState.AddModelError("Settings.Env", message);
            }

            await OpenSettingsAsync(Agent);
            return Page();
        }
        catch (Exception ex) when (ex is AegisException or AgentOperationException or HttpRequestException)
        {
            // Nothing was stored: the form stays as it was typed, to be saved again.
            ModelState.AddModelError("Settings.Env", $"Aegis did not take the settings ({ex.Message}); nothing was saved. Save again to retry.");
            await OpenSettingsAsync(Agent);
            return Page();
        }

        Notice = "Settings saved.";
        if (restart)
        {
            try
            {
                await agents.RestartAsync(Agent.Id, cancellationToken);
                Notice = $"Settings saved; {Agent.Name} restarted to take its new environment.";
            }
            catch (Exception ex) when (ex is AegisException or AgentOperationException or HttpRequestException)
            {
                Notice = $"Settings saved, but {Agent.Name} could not be restarted ({ex.Message}); start it again to give it its new environment.";
            }
        }

        return Redirect($"/g/{Group.Slug}/r/{Room.Slug}/{Agent.Id}");
    }

    public async Task<IActionResult> OnPostCreateAsync(string group, string room, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(group, room, "new", cancellationToken))
        {
            return NotFound();
        }

        var env = AgentEnv.FromLines(NewAgent.Env, out var envError);
        if (envError is not null)
        {
            ModelState.AddModelError("NewAgent.Env", envError);
            return Page();
        }

        try
        {
            var agent = await agents.CreateAsync(Room.Id, NewAgent.Name ?? "", NewAgent.Template ?? "", env, cancellationToken);
            Notice = $"Created {agent.Name}. Start it to bring it into the room.";
            return Redirect($"/g/{Group.Slug}/r/{Room.Slug}/{agent.Id}");
        }
        catch (AgentValidationException ex)
        {
            foreach (var (field, messages) in ex.Errors)
            {
                foreach (var message in messages)
                {
                    ModelState.AddModelError(field.Length == 0 ? string.Empty : $"NewAgent.{char.ToUpperInvariant(field[0])}{field[1..]}", message);
                }
            }

            return Page();
        }
        catch (Exception ex) when (ex is AegisException or Famiglia.Xmpp.Admin.EjabberdAdminException or HttpRequestException)
        {
            ModelState.AddModelError(string.Empty, $"The agent was saved but could not be set up completely: {ex.Message}. Starting it will retry.");
            return Page();
        }
    }

    public Task<IActionResult> OnPostStartAsync(string group, string room, string tab, CancellationToken cancellationToken) =>
        AgentActionAsync(group, room, tab, "started", async (id, ct) => await agents.StartAsync(id, ct), cancellationToken, outdatedBy: "STOPPED");

    public Task<IActionResult> OnPostStopAsync(string group, string room, string tab, CancellationToken cancellationToken) =>
        AgentActionAsync(group, room, tab, "stopped", async (id, ct) => await agents.StopAsync(id, ct), cancellationToken, outdatedBy: "STARTING,RUNNING");

    public Task<IActionResult> OnPostRegenerateKeyAsync(string group, string room, string tab, CancellationToken cancellationToken) =>
        AgentActionAsync(group, room, tab, "given a new API key", (id, ct) => agents.RegenerateKeyAsync(id, ct), cancellationToken, adminOnly: true);

    public async Task<IActionResult> OnPostDeleteAsync(string group, string room, string tab, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(group, room, tab, cancellationToken) || Agent is null)
        {
            return NotFound();
        }

        if (!IsAdmin)
        {
            return Forbid();
        }

        try
        {
            await agents.DeleteAsync(Agent.Id, cancellationToken);
            Notice = $"{Agent.Name} deleted.";
            return Redirect($"/g/{Group.Slug}/r/{Room.Slug}");
        }
        catch (Exception ex) when (ex is AegisException or AgentOperationException or Famiglia.Xmpp.Admin.EjabberdAdminException or HttpRequestException)
        {
            Notice = $"{Agent.Name} could not be deleted completely ({ex.Message}); deleting again finishes it.";
            return Redirect($"/g/{Group.Slug}/r/{Room.Slug}/{Agent.Id}");
        }
    }

    private async Task<IActionResult> AgentActionAsync(
        string group, string room, string tab, string done, Func<string, CancellationToken, Task> action, CancellationToken cancellationToken,
        bool adminOnly = false, string? outdatedBy = null)
    {
        if (!await LoadAsync(group, room, tab, cancellationToken) || Agent is null)
        {
            return NotFound();
        }

        if (adminOnly && !IsAdmin)
        {
            return Forbid();
        }

        try
        {
            await action(Agent.Id, cancellationToken);
            Notice = $"{Agent.Name} {done}.";
            (NoticeAgent, NoticeOutdatedBy) = outdatedBy is null ? (null, null) : (Agent.Id, outdatedBy);
        }
        catch (Exception ex) when (ex is AegisException or AgentOperationException or Famiglia.Xmpp.Admin.EjabberdAdminException or HttpRequestException)
        {
            Notice = $"{Agent.Name} could not be {done}: {ex.Message}";
        }

        return Redirect($"/g/{Group.Slug}/r/{Room.Slug}/{Agent.Id}");
    }

    private async Task<bool> LoadAsync(string group, string room, string? tab, CancellationToken cancellationToken)
    {
        var userId = User.RequiredUserId();
        if (await spaces.GroupAsync(userId, group, cancellationToken) is not { } found)
        {
            return false;
        }

        (Group, Role) = found;
        if (await spaces.VisibleRoomAsync(userId, Group.Id, room, cancellationToken) is not { } visible)
        {
            return false;
        }

        Room = visible;
        Agents = await spaces.AgentsAsync(Room.Id, cancellationToken);
        Notes = await spaces.NotesAsync(Room.Id, cancellationToken);
        Tab = string.IsNullOrEmpty(tab) ? "chat" : tab;
        if (Tab is "chat" or "notes" or "new")
        {
            return true;
        }

        Agent = Agents.SingleOrDefault(a => a.Id == Tab);
        return Agent is not null;
    }

    private async Task OpenSettingsAsync(AgentConfig agent)
    {
        ShowSettings = true;
        EnvNames = agents.EnvNames(agent);
        try
        {
            var code = await agents.CodeAsync(agent, HttpContext.RequestAborted);
            Code = code.ToString();
            Usage = code.Live ? code.Usage?.ToString() : null;
        }
        catch (Exception ex) when (ex is AegisException or HttpRequestException)
        {
            Code = $"Which code it runs is not known: {ex.Message}";
        }
    }

    private async Task WakeAsync(AgentConfig agent)
    {
        try
        {
            await agents.EnsureIfWantedAsync(agent.Id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is AegisException or AgentOperationException)
        {
            WakeFailed(logger, agent.Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not wake agent {Agent}: {Error}")]
    private static partial void WakeFailed(ILogger logger, string agent, string error);
}

/// <summary>An agent's settings form: its canvas, and changes to its extra environment.</summary>
public sealed class AgentSettingsForm
{
    public bool Canvas { get; set; } = true;

    /// <summary>Variables to add or replace, <c>NAME=value</c> per line.</summary>
    public string? Env { get; set; }

    /// <summary>Names of variables to remove.</summary>
    public List<string> Remove { get; set; } = [];
}

/// <summary>The Create Agent form.</summary>
public sealed class NewAgentForm
{
    public string? Name { get; set; }

    public string? Template { get; set; } = AgentTemplates.Default;

    /// <summary>Extra environment, <c>NAME=value</c> per line (AI keys, MCP config); passed to the sandbox as secrets.</summary>
    public string? Env { get; set; }
}
