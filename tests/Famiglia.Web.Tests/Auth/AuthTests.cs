using System.Net;
using Famiglia.Web.Auth;
using Famiglia.Web.Demo;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Famiglia.Web.Tests.Auth;

/// <summary>Sign-in through the form, as a browser does it, against a fresh famiglia-web (chat off) per test.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private readonly FamigliaWebFactory _web = new();

    public async Task InitializeAsync()
    {
        _web.StartServer();
        Assert.True(await _web.Services.GetRequiredService<DemoSeeder>().SeedGroupAsync("feldmans", "The Feldmans", ["alice", "bob", "carol"], 2));
        Assert.True(await _web.Services.GetRequiredService<DemoSeeder>().SeedGroupAsync("rossis", "The Rossis", ["dario"], 1));
    }

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task The_demo_password_signs_in_with_a_short_name_and_goes_to_the_local_returnUrl()
    {
        await using var browser = new BrowserSession(_web.BaseAddress);
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(browser));

        using var response = await browser.LoginAsync("alice", "famiglia", "/rooms/photos?tab=chat");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/rooms/photos?tab=chat", response.Headers.Location?.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("famiglia.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase); // plain http here; https gets Secure
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(browser));
    }

    [Fact]
    public async Task A_full_handle_signs_in_too()
    {
        await using var browser = new BrowserSession(_web.BaseAddress);
        using var response = await browser.LoginAsync("@u:bob@dev1.localhost", "famiglia");
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(browser));
    }

    [Theory]
    [InlineData("alice", "wrong")]
    [InlineData("nobody", "famiglia")]
    [InlineData("alice", "")]
    public async Task Bad_credentials_go_back_to_the_form_with_an_error_the_returnUrl_and_the_name(string handle, string password)
    {
        await using var browser = new BrowserSession(_web.BaseAddress);
        using var response = await browser.LoginAsync(handle, password, "/rooms/photos");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"/account/login?error=1&returnUrl=%2Frooms%2Fphotos&handle={handle}", response.Headers.Location?.OriginalString);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("famiglia.auth=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(browser));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/path")]
    [InlineData("/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    public async Task A_returnUrl_that_is_not_local_is_ignored(string returnUrl)
    {
        await using var browser = new BrowserSession(_web.BaseAddress);
        using var response = await browser.LoginAsync("alice", "famiglia", returnUrl);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);

        using var failed = await browser.LoginAsync("alice", "wrong", returnUrl);
        Assert.Equal("/account/login?error=1&handle=alice", failed.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_does_not_sign_in()
    {
        await using var browser = new BrowserSession(_web.BaseAddress);
        using var response = await browser.LoginAsync("alice", "famiglia", "/x", withToken: false);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/account/login?error=expired&returnUrl=%2Fx", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(browser));
    }

    [Fact]
    public async Task Logout_ends_the_session()
    {
        await using var browser = await BrowserSession.SignedInAsync(_web, "carol");
        using var logout = await browser.Http.PostAsync("/account/logout", null);
        Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);
        Assert.Equal("/account/login", logout.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(browser));
    }

    [Fact]
    public async Task Passwords_are_stored_hashed()
    {
        var hashes = await _web.QueryAsync(db => db.Users.Select(u => u.PasswordHash).ToListAsync());
        Assert.All(hashes, hash => Assert.True(hash is { Length: > 40 } && !hash.Contains("famiglia", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Membership_follows_groups_and_participants_only_rooms()
    {
        var membership = _web.Services.GetRequiredService<Membership>();
        var ids = await _web.QueryAsync(async db => new
        {
            Alice = await db.Users.Where(u => u.Handle == "@u:alice@dev1.localhost").Select(u => u.Id).SingleAsync(),
            Carol = await db.Users.Where(u => u.Handle == "@u:carol@dev1.localhost").Select(u => u.Id).SingleAsync(),
            Dario = await db.Users.Where(u => u.Handle == "@u:dario@dev1.localhost").Select(u => u.Id).SingleAsync(),
            Feldmans = await db.Groups.Where(g => g.Slug == "feldmans").Select(g => g.Id).SingleAsync(),
            Family = await db.Rooms.Where(r => r.Slug == "family" && r.Group!.Slug == "feldmans").Select(r => r.Id).SingleAsync(),
            Photos = await db.Rooms.Where(r => r.Slug == "photos" && r.Group!.Slug == "feldmans").Select(r => r.Id).SingleAsync(),
        });

        Assert.True(await membership.IsMemberAsync(ids.Carol, ids.Feldmans));
        Assert.False(await membership.IsMemberAsync(ids.Dario, ids.Feldmans));
        Assert.True(await membership.CanSeeRoomAsync(ids.Alice, ids.Family));
        Assert.False(await membership.CanSeeRoomAsync(ids.Carol, ids.Family));
        Assert.True(await membership.CanSeeRoomAsync(ids.Carol, ids.Photos));
        Assert.False(await membership.CanSeeRoomAsync(ids.Dario, ids.Photos));
        Assert.False(await membership.CanSeeRoomAsync(ids.Alice, "no-such-room"));
    }

    [Fact]
    public async Task The_login_page_has_the_fields_the_login_endpoint_reads()
    {
        // The UI's page or, without one, the fallback in Auth/LoginPage.cs.
        await using var browser = new BrowserSession(_web.BaseAddress);
        using var page = await browser.Http.GetAsync("/account/login?error=1&returnUrl=%2Frooms");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("name=\"handle\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"password\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"returnUrl\"", html, StringComparison.Ordinal);
        Assert.NotEmpty(BrowserSession.AntiforgeryToken(html));
    }

    [Fact]
    public async Task After_a_failed_sign_in_the_form_keeps_the_name_encoded_and_the_cursor_goes_to_the_password()
    {
        await using var browser = new BrowserSession(_web.BaseAddress);
        var html = await browser.Http.GetStringAsync("/account/login?error=1&handle=" + Uri.EscapeDataString("al\"><script>x</script>"));
        Assert.Contains("name=\"handle\" autocomplete=\"username\" required value=\"al&quot;&gt;&lt;script&gt;x&lt;/script&gt;\" />", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>x", html, StringComparison.Ordinal);
        Assert.Contains("type=\"password\" autocomplete=\"current-password\" required autofocus=\"autofocus\"", html, StringComparison.Ordinal);

        var fresh = await browser.Http.GetStringAsync("/account/login");
        Assert.Contains("name=\"handle\" autocomplete=\"username\" required autofocus=\"autofocus\" />", fresh, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_even_against_the_right_password_until_the_window_passes()
    {
        await using var browser = new BrowserSession(_web.BaseAddress);
        for (var i = 0; i < 5; i++)
        {
            using var failed = await browser.LoginAsync("alice", "guess" + i);
            Assert.Equal("/account/login?error=1&handle=alice", failed.Headers.Location?.OriginalString);
        }

        using (var locked = await browser.LoginAsync("alice", "famiglia", "/rooms"))
        {
            Assert.Equal("/account/login?error=locked&returnUrl=%2Frooms&handle=alice&minutes=15", locked.Headers.Location?.OriginalString);
            Assert.False(locked.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("famiglia.auth=", StringComparison.Ordinal)));
        }

        var page = await browser.Http.GetStringAsync("/account/login?error=locked&minutes=15");
        Assert.Contains("Too many failed sign-ins. Please try again in 15 minutes.", page, StringComparison.Ordinal);

        // Another account from the same address is not locked out by alice's failures.
        await using (var bob = new BrowserSession(_web.BaseAddress))
        {
            using var signedIn = await bob.LoginAsync("bob", "famiglia");
            Assert.Equal("/", signedIn.Headers.Location?.OriginalString);
        }

        _web.Clock.Advance(TimeSpan.FromMinutes(14));
        using (var stillLocked = await browser.LoginAsync("alice", "famiglia"))
        {
            Assert.Equal("/account/login?error=locked&handle=alice&minutes=1", stillLocked.Headers.Location?.OriginalString);
        }

        _web.Clock.Advance(TimeSpan.FromMinutes(1));
        using var open = await browser.LoginAsync("alice", "famiglia");
        Assert.Equal("/", open.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_success_clears_the_accounts_failures()
    {
        await using var browser = new BrowserSession(_web.BaseAddress);
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 4; i++)
            {
                using var failed = await browser.LoginAsync("carol", "guess" + i);
                Assert.Equal("/account/login?error=1&handle=carol", failed.Headers.Location?.OriginalString);
            }

            using var signedIn = await browser.LoginAsync("carol", "famiglia");
            Assert.Equal("/", signedIn.Headers.Location?.OriginalString);
        }
    }

    [Fact]
    public async Task Twenty_failures_from_one_address_over_many_names_lock_that_address()
    {
        await using var browser = new BrowserSession(_web.BaseAddress);
        for (var i = 0; i < 20; i++)
        {
            using var failed = await browser.LoginAsync("nobody" + i, "famiglia");
            Assert.Equal($"/account/login?error=1&handle=nobody{i}", failed.Headers.Location?.OriginalString);
        }

        using var locked = await browser.LoginAsync("bob", "famiglia");
        Assert.StartsWith("/account/login?error=locked", locked.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> NegotiateAsync(BrowserSession browser)
    {
        using var response = await browser.Http.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null);
        return response.StatusCode;
    }
}
