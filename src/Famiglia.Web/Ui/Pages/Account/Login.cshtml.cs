using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Famiglia.Web.Ui.Pages.Account;

/// <summary>The sign-in form; the form posts to <c>POST /account/login</c> (Auth/AccountApi), antiforgery token included.</summary>
internal sealed class LoginModel : PageModel
{
    [FromQuery(Name = "returnUrl")]
    public string? ReturnUrl { get; set; }

    [FromQuery(Name = "error")]
    public string? Error { get; set; }

    /// <summary>The name typed before a failed sign-in, filled in again.</summary>
    [FromQuery(Name = "handle")]
    public string? Handle { get; set; }

    [FromQuery(Name = "minutes")]
    public int? Minutes { get; set; }

    public void OnGet()
    {
    }
}
