using System.Net;
using System.Text.RegularExpressions;

namespace Famiglia.Stack.Tests;

/// <summary>A person's browser session without a browser: signs in through the login form and submits the pages'
/// forms with their antiforgery tokens, as the browser would.</summary>
public sealed partial class WebSession : IDisposable
{
    private readonly HttpClient _http;

    private WebSession(HttpClient http) => _http = http;

    public static async Task<WebSession> SignInAsync(Uri web, string name, string password = "famiglia")
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true };
        var session = new WebSession(new HttpClient(handler) { BaseAddress = web, Timeout = TimeSpan.FromMinutes(2) });
        var form = await session.GetStringAsync("/account/login");
        using var response = await session._http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token(form),
            ["handle"] = name,
            ["password"] = password,
            ["returnUrl"] = "/",
        }));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return session;
    }

    public async Task<string> GetStringAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<HttpStatusCode> StatusOfAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return response.StatusCode;
    }

    /// <summary>Submits a page's form to <c>?handler=</c> with the page's antiforgery token; returns where it redirected.</summary>
    public async Task<string> PostFormAsync(string page, string handler, Dictionary<string, string>? fields = null)
    {
        var html = await GetStringAsync(page);
        var values = new Dictionary<string, string>(fields ?? []) { ["__RequestVerificationToken"] = Token(html) };
        using var response = await _http.PostAsync($"{page}?handler={handler}", new FormUrlEncodedContent(values));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Redirect || response.StatusCode == HttpStatusCode.Found,
            $"POST {page}?handler={handler}: {(int)response.StatusCode}\n{body}");
        return response.Headers.Location!.OriginalString;
    }

    /// <summary>Creates an agent in #photos through the Create Agent form (with <paramref name="env"/>, NAME=value lines, when
    /// given); returns its id and its tab's page.</summary>
    public async Task<(string AgentId, string Page)> CreateAgentAsync(string name, string template, string? env = null)
    {
        var fields = new Dictionary<string, string> { ["NewAgent.Name"] = name, ["NewAgent.Template"] = template };
        if (env is not null)
        {
            fields["NewAgent.Env"] = env;
        }

        var agentId = (await PostFormAsync("/g/feldmans/r/photos/new", "Create", fields)).Split('/').Last();
        return (agentId, $"/g/feldmans/r/photos/{agentId}");
    }

    /// <summary>Like <see cref="PostFormAsync"/>, for a form that comes back as a page (bad input): its status and HTML.</summary>
    public async Task<(HttpStatusCode Status, string Html)> PostFormPageAsync(string page, string handler, Dictionary<string, string> fields)
    {
        var html = await GetStringAsync(page);
        var values = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = Token(html) };
        using var response = await _http.PostAsync($"{page}?handler={handler}", new FormUrlEncodedContent(values));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Like <see cref="PostFormAsync"/>, for a form the person may not submit: returns the status. A page that
    /// shows them no form at all gives no token: <paramref name="tokenFrom"/> is then a page of theirs that has one.</summary>
    public async Task<HttpStatusCode> PostFormStatusAsync(string page, string handler, string? tokenFrom = null)
    {
        var html = await GetStringAsync(tokenFrom ?? page);
        var values = new Dictionary<string, string> { ["__RequestVerificationToken"] = Token(html) };
        using var response = await _http.PostAsync($"{page}?handler={handler}", new FormUrlEncodedContent(values));
        return response.StatusCode;
    }

    public void Dispose() => _http.Dispose();

    private static string Token(string html) =>
        WebUtility.HtmlDecode(TokenPattern().Match(html) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("no antiforgery token in the page"));

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
