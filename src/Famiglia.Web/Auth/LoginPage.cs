using System.Net;
using Microsoft.AspNetCore.Antiforgery;

namespace Famiglia.Web.Auth;

/// <summary>A minimal sign-in form, the fallback until the UI maps its own page at <c>GET /account/login</c>.
/// Whatever replaces it must post the same fields, the antiforgery token included.</summary>
internal static class LoginPage
{
    public static IResult Render(HttpContext context, IAntiforgery antiforgery, string? error = null, string? returnUrl = null, string? handle = null)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var message = error switch
        {
            null or "" => "",
            "expired" => "<p role=\"alert\">The form had expired. Please sign in again.</p>",
            "locked" => "<p role=\"alert\">Too many failed sign-ins. Please try again later.</p>",
            _ => "<p role=\"alert\">Wrong name or password.</p>",
        };
        var local = LocalUrl.OrNull(returnUrl);
        var html = $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · Famiglia</title></head>
            <body>
            <main>
            <h1>Sign in</h1>
            {message}
            <form method="post" action="{AuthSetup.LoginPath}">
            <input type="hidden" name="{Encode(tokens.FormFieldName)}" value="{Encode(tokens.RequestToken)}">
            {(local is null ? "" : $"<input type=\"hidden\" name=\"returnUrl\" value=\"{Encode(local)}\">")}
            <label>Name <input name="handle" autocomplete="username" required value="{Encode(handle)}"{(string.IsNullOrEmpty(handle) ? " autofocus" : "")}></label>
            <label>Password <input name="password" type="password" autocomplete="current-password" required{(string.IsNullOrEmpty(handle) ? "" : " autofocus")}></label>
            <button type="submit">Sign in</button>
            </form>
            </main>
            </body>
            </html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private static string Encode(string? value) => WebUtility.HtmlEncode(value ?? "");
}
