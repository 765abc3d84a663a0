using System.Security.Claims;

namespace Famiglia.Web.Auth;

/// <summary>
/// What the sign-in cookie holds: <see cref="ClaimTypes.NameIdentifier"/> = the user's id, <see cref="ClaimTypes.Name"/> =
/// their handle (<c>@u:alice@dev1.localhost</c>), <see cref="ClaimTypes.GivenName"/> = their display name. Group membership is not a claim: <see cref="Membership"/> looks it up per request.
/// </summary>
public static class FamigliaClaims
{
    /// <summary>The signed-in user's id, or null for an anonymous principal.</summary>
    public static string? UserId(this ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>The signed-in user's id; throws when there is none (use behind [Authorize]).</summary>
    public static string RequiredUserId(this ClaimsPrincipal principal) =>
        principal.UserId() ?? throw new InvalidOperationException("The request is not signed in.");

    /// <summary>The signed-in user's handle, or null.</summary>
    public static string? Handle(this ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.Name);

    /// <summary>The name people see (the display name; the handle for a cookie from before it was kept), or null.</summary>
    public static string? DisplayName(this ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.GivenName) ?? principal.Handle();

    internal static ClaimsPrincipal For(string userId, string handle, string displayName, string authenticationType) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, userId), new Claim(ClaimTypes.Name, handle), new Claim(ClaimTypes.GivenName, displayName)],
            authenticationType));
}
