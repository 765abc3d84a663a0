using Famiglia.Web.Auth;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Famiglia.Web.Ui.Pages;

/// <summary>A group and the rooms the user may see.</summary>
internal sealed class GroupModel(SpaceQueries spaces) : PageModel
{
    public Group Group { get; private set; } = null!;

    public List<Room> Rooms { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string group, CancellationToken cancellationToken)
    {
        var userId = User.RequiredUserId();
        if (await spaces.GroupAsync(userId, group, cancellationToken) is not { } found)
        {
            return NotFound();
        }

        Group = found.Group;
        Rooms = await spaces.VisibleRoomsAsync(userId, Group.Id, cancellationToken);
        return Page();
    }
}
