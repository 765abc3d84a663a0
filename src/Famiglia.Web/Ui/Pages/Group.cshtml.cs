using Famiglia.Web.Agents;
using Famiglia.Web.Auth;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Famiglia.Web.Ui.Pages;

/// <summary>A group, the rooms the user may see, and (for its admins) the environment every agent of the group gets.</summary>
internal sealed class GroupModel(SpaceQueries spaces, AgentLifecycle agents) : PageModel
{
    public Group Group { get; private set; } = null!;

    public MemberRole Role { get; private set; }

    public bool IsAdmin => Role is MemberRole.OWNER or MemberRole.ADMIN;

    public List<Room> Rooms { get; private set; } = [];

    /// <summary>The names of the group's agents' environment (never the values).</summary>
    public IReadOnlyList<string> EnvNames { get; private set; } = [];

    [BindProperty]
    public GroupEnvForm Env { get; set; } = new();

    [TempData]
    public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(string group, CancellationToken cancellationToken) =>
        await LoadAsync(group, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostEnvAsync(string group, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(group, cancellationToken))
        {
            return NotFound();
        }

        if (!IsAdmin)
        {
            return Forbid();
        }

        var set = AgentEnv.FromLines(Env.Set, out var error);
        if (error is not null)
        {
            ModelState.AddModelError("Env.Set", error);
            return Page();
        }

        GroupEnvOutcome outcome;
        try
        {
            outcome = await agents.UpdateGroupEnvAsync(Group.Id, set, Env.Remove, cancellationToken);
        }
        catch (AgentValidationException ex)
        {
            foreach (var message in ex.Errors.Values.SelectMany(m => m))
            {
                ModelState.AddModelError("Env.Set", message);
            }

            return Page();
        }

        Notice = "Agents' environment saved."
            + (outcome.Restarted.Count == 0 ? "" : $" Restarted to take it: {string.Join(", ", outcome.Restarted)}.")
            + (outcome.Failed.Count == 0 ? "" : " Not updated yet (start each again to finish): "
                + string.Join("; ", outcome.Failed.Select(f => $"{f.Agent} ({f.Error})")) + ".");
        return Redirect($"/g/{Group.Slug}");
    }

    private async Task<bool> LoadAsync(string group, CancellationToken cancellationToken)
    {
        var userId = User.RequiredUserId();
        if (await spaces.GroupAsync(userId, group, cancellationToken) is not { } found)
        {
            return false;
        }

        (Group, Role) = found;
        Rooms = await spaces.VisibleRoomsAsync(userId, Group.Id, cancellationToken);
        EnvNames = IsAdmin ? agents.GroupEnvNames(Group) : [];
        return true;
    }
}

/// <summary>The group's agents' environment form.</summary>
public sealed class GroupEnvForm
{
    /// <summary>Variables to add or replace, <c>NAME=value</c> per line.</summary>
    public string? Set { get; set; }

    /// <summary>Names of variables to remove.</summary>
    public List<string> Remove { get; set; } = [];
}
