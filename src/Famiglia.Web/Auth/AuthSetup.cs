using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace Famiglia.Web.Auth;

/// <summary>
/// Sign-in for people: an HttpOnly, SameSite=Lax cookie (Secure on https) that slides over 8 hours, passwords hashed by
/// ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>, and <see cref="Membership"/> for what a user may see.
/// </summary>
internal static class AuthSetup
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";

    public static WebApplicationBuilder AddAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = "famiglia.auth";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
                cookie.LoginPath = LoginPath;
                cookie.LogoutPath = LogoutPath;
                cookie.AccessDeniedPath = LoginPath;
                cookie.ReturnUrlParameter = "returnUrl";

                // Pages get sent to the login form; hubs, APIs and scripts get a status code they can act on.
                cookie.Events.OnRedirectToLogin = context => RedirectPagesOnly(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => RedirectPagesOnly(context, StatusCodes.Status403Forbidden);
            });
        builder.Services.AddAuthorization();
        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "famiglia.antiforgery";
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddSingleton<Accounts>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<Membership>();
        return builder;
    }

    public static WebApplication MapAccount(this WebApplication app)
    {
        app.MapAccountEndpoints();
        return app;
    }

    private static Task RedirectPagesOnly(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var request = context.Request;
        var isPage = HttpMethods.IsGet(request.Method)
            && !request.Path.StartsWithSegments("/api")
            && !request.Path.StartsWithSegments("/hubs")
            && !string.Equals(request.Headers.XRequestedWith, "XMLHttpRequest", StringComparison.OrdinalIgnoreCase);
        if (isPage)
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
        }

        return Task.CompletedTask;
    }
}
