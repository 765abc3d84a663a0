using Famiglia.Web.Auth;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Famiglia.Web.Ui.Pages;

/// <summary>The groups of the signed-in user; with just one, straight to it.</summary>
internal sealed class IndexModel(SpaceQueries spaces) : PageModel
{
    public List<Group> Groups { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Groups = await spaces.GroupsOfAsync(User.RequiredUserId(), cancellationToken);
        return Groups.Count == 1 ? Redirect($"/g/{Groups[0].Slug}") : Page();
    }
}
