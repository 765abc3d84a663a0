using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Famiglia.Web.Auth;

/// <summary>
/// <c>POST /account/login</c> (form: <c>handle</c>, <c>password</c>, optional <c>returnUrl</c>, and the antiforgery token),
/// <c>POST /account/logout</c>, and a fallback <c>GET /account/login</c> form that any other mapping of that route replaces.
/// Every answer is a 303, so a browser follows it with a GET.
/// </summary>
internal static partial class AccountApi
{
    private const int MaxHandleInUrl = 100;

    public static void MapAccountEndpoints(this IEndpointRouteBuilder routes)
    {
        var account = routes.MapGroup("/account").WithTags("Account").ExcludeFromDescription();

        // Order 1: a page the UI maps at the same route (order 0) wins over this one without an ambiguity.
        account.MapGet("/login", LoginPage.Render).WithOrder(1).AllowAnonymous();

        // The token is validated by hand so that a stale form goes back to the login page instead of a bare 400.
        account.MapPost("/login", LoginAsync).DisableAntiforgery().AllowAnonymous();
        account.MapPost("/logout", LogoutAsync).DisableAntiforgery();
    }

    /// <summary>Where a failed sign-in goes: the form again, with <c>error=1</c> (bad credentials), <c>error=expired</c>
    /// (the antiforgery token was missing or stale) or <c>error=locked</c> (too many failures, see <see cref="LoginThrottle"/>),
    /// the returnUrl when it was local, and the name that was typed (so only the password is typed again).</summary>
    public static string LoginUrl(string? error, string? returnUrl, string? handle = null)
    {
        var query = new List<string>();
        if (error is not null)
        {
            query.Add("error=" + Uri.EscapeDataString(error));
        }

        if (LocalUrl.OrNull(returnUrl) is { } local)
        {
            query.Add("returnUrl=" + Uri.EscapeDataString(local));
        }

        if (!string.IsNullOrWhiteSpace(handle) && handle.Length <= MaxHandleInUrl)
        {
            query.Add("handle=" + Uri.EscapeDataString(handle.Trim()));
        }

        return query.Count == 0 ? AuthSetup.LoginPath : AuthSetup.LoginPath + "?" + string.Join('&', query);
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context, IAntiforgery antiforgery, Accounts accounts, LoginThrottle throttle, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            return SeeOther(LoginUrl("1", null));
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var returnUrl = LocalUrl.OrNull(form["returnUrl"].ToString());
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return SeeOther(LoginUrl("expired", returnUrl));
        }

        var login = form["handle"].ToString();
        var handle = accounts.HandleFor(login);
        var address = context.Connection.RemoteIpAddress?.ToString();
        if (throttle.RetryAfter(handle, address) is { } wait)
        {
            return SeeOther(LoginUrl("locked", returnUrl, login) + "&minutes=" + Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes)));
        }

        var user = await accounts.VerifyAsync(login, form["password"].ToString(), cancellationToken);
        if (user is null)
        {
            throttle.Failed(handle, address);
            return SeeOther(LoginUrl("1", returnUrl, login));
        }

        throttle.Succeeded(handle);

        var scheme = CookieAuthenticationDefaults.AuthenticationScheme;
        await context.SignInAsync(scheme, FamigliaClaims.For(user.Id, user.Handle, user.DisplayName, scheme), new AuthenticationProperties { IsPersistent = false });
        SignedIn(loggers.CreateLogger(typeof(AccountApi).FullName!), user.Handle);
        return SeeOther(returnUrl is null ? "/" : returnUrl.TrimStart('~'));
    }

    // No antiforgery token needed: the SameSite=Lax cookie is not sent on a cross-site POST, and signing out is harmless.
    private static async Task<IResult> LogoutAsync(HttpContext context, ILoggerFactory loggers)
    {
        if (context.User.Handle() is { } handle)
        {
            SignedOut(loggers.CreateLogger(typeof(AccountApi).FullName!), handle);
        }

        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return SeeOther(AuthSetup.LoginPath);
    }

    [LoggerMessage(3, LogLevel.Information, "{Handle} signed out")]
    private static partial void SignedOut(ILogger logger, string handle);

    private static IResult SeeOther(string location) => new SeeOtherResult(location);

    [LoggerMessage(2, LogLevel.Information, "{Handle} signed in")]
    private static partial void SignedIn(ILogger logger, string handle);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
