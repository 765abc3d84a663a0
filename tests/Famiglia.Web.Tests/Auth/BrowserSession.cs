using System.Net;
using System.Text.RegularExpressions;
using Famiglia.Web.Chat;
using Microsoft.AspNetCore.SignalR.Client;

namespace Famiglia.Web.Tests.Auth;

/// <summary>What a browser does: fetches the login form, posts it with the antiforgery token, keeps the cookies, and talks
/// to the chat hub with them (a real SignalR client over WebSockets).</summary>
public sealed partial class BrowserSession : IAsyncDisposable
{
    private readonly List<HubConnection> _hubs = [];

    public BrowserSession(Uri baseAddress)
    {
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
    }

    public CookieContainer Cookies { get; } = new();

    public HttpClient Http { get; }

    public static async Task<BrowserSession> SignedInAsync(FamigliaWebFactory web, string handle, string password = "famiglia")
    {
        var browser = new BrowserSession(web.BaseAddress);
        using var response = await browser.LoginAsync(handle, password);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return browser;
    }

    /// <summary>GET the form, then POST it; returns the POST's response (not followed).</summary>
    public async Task<HttpResponseMessage> LoginAsync(string handle, string password, string? returnUrl = null, bool withToken = true)
    {
        var page = await Http.GetStringAsync("/account/login");
        var fields = new Dictionary<string, string> { ["handle"] = handle, ["password"] = password };
        if (withToken)
        {
            fields[TokenFieldName] = AntiforgeryToken(page);
        }

        if (returnUrl is not null)
        {
            fields["returnUrl"] = returnUrl;
        }

        return await Http.PostAsync("/account/login", new FormUrlEncodedContent(fields));
    }

    /// <summary>A started hub connection whose <c>message</c> events land in <see cref="HubClient.Messages"/>.</summary>
    public async Task<HubClient> ConnectHubAsync()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(Http.BaseAddress!, ChatHub.Path), options => options.Cookies = Cookies)
            .Build();
        var hub = new HubClient(connection);
        await connection.StartAsync();
        _hubs.Add(connection);
        return hub;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hub in _hubs)
        {
            await hub.DisposeAsync();
        }

        Http.Dispose();
    }

    public const string TokenFieldName = "__RequestVerificationToken";

    /// <summary>The antiforgery token in a page's form, whatever the order of the input's attributes.</summary>
    public static string AntiforgeryToken(string page)
    {
        var input = InputTag().Matches(page).Select(m => m.Value).FirstOrDefault(tag => tag.Contains($"name=\"{TokenFieldName}\"", StringComparison.Ordinal));
        var value = input is null ? null : ValueAttribute().Match(input);
        Assert.True(value is { Success: true }, $"The page has no antiforgery token:\n{page}");
        return WebUtility.HtmlDecode(value!.Groups[1].Value);
    }

    [GeneratedRegex("<input[^>]*>")]
    private static partial Regex InputTag();

    [GeneratedRegex("value=\"([^\"]+)\"")]
    private static partial Regex ValueAttribute();
}
