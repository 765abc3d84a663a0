using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Famiglia.Stack.Tests;

/// <summary>
/// The product in a real browser (Debian's chromium driven by Playwright, never a downloaded browser) against the real
/// stack: sign in, create a Photo Library agent from the template, start it, ask it for a gallery, see the reply and
/// the images in its canvas, stop it; and a React canvas (templates/react-dashboard) rendering the group's data.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BrowserTests(FamigliaStack stack, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly float Patient = 120_000; // ms; a cold sandbox boot on a shared 2-core machine
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is missing: apt-get install -y chromium (./famiglia test does)");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        SetDefaultExpectTimeout(Patient);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task Alice_creates_a_photo_library_agent_talks_to_it_and_sees_its_gallery_then_stops_it()
    {
        var page = await SignedInPageAsync("alice");
        await page.GotoAsync(new Uri(stack.WebUrl, "/g/feldmans").ToString());
        await page.GetByRole(AriaRole.Link, new() { Name = "#photos" }).ClickAsync();

        // + → Create Agent with the template picker.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Create an agent" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Photo Library");
        await page.Locator("input[type=radio][value=photo-library]").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create agent" }).ClickAsync();
        var status = page.GetByTestId("agent-status");
        await Expect(status).ToHaveTextAsync("stopped");
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Photo Library" })).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.GetByLabel("Message")).ToHaveAttributeAsync("placeholder", "Message Photo Library (stopped: it answers when started)");
        await Expect(page.GetByTestId("stop")).ToBeDisabledAsync();

        await page.GetByTestId("start").ClickAsync();
        await Expect(status).ToHaveTextAsync("running", new() { Timeout = Patient });
        await Expect(page.GetByLabel("Message")).ToHaveAttributeAsync("placeholder", "Message Photo Library");
        // Start does nothing for a running agent: the button says so, from the page and from live status changes.
        await Expect(page.GetByTestId("start")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("stop")).ToBeEnabledAsync();

        // Talk to it in its tab: the message and the reply appear in the thread.
        await Expect(page.GetByTestId("chat")).ToHaveAttributeAsync("data-ready", "true");
        await page.GetByLabel("Message").FillAsync("Build me a photo library from all group photos");
        await page.GetByLabel("Message").PressAsync("Enter");
        var messages = page.GetByTestId("message");
        await Expect(messages.Filter(new() { HasText = "Build me a photo library from all group photos" })).ToHaveCountAsync(1);
        await Expect(messages.Filter(new() { HasText = "Found 234 photos! Gallery is ready." })).ToHaveCountAsync(1);
        await Expect(messages.Filter(new() { HasText = "Found 234 photos!" }).Locator(".author")).ToHaveTextAsync("Photo Library");

        // The gallery inside the canvas iframe, with images that really loaded.
        var canvas = page.FrameLocator("iframe.canvas");
        await Expect(canvas.Locator("img")).ToHaveCountAsync(234);
        var first = canvas.Locator("img").First;
        await first.ScrollIntoViewIfNeededAsync();
        await Expect(first).ToHaveJSPropertyAsync("complete", true);
        Assert.True(await first.EvaluateAsync<int>("img => img.naturalWidth") > 0, "the first gallery image did not load");

        // The sandboxed iframe (another origin, no allow-same-origin) reads neither cookies nor the parent page.
        var frame = page.Frames.Single(f => f.Url.Contains("/agent/", StringComparison.Ordinal));
        var reach = await frame.EvaluateAsync<string>("""
            () => {
              let cookie, parent;
              try { cookie = 'cookie:' + document.cookie; } catch (e) { cookie = 'no-cookies'; }
              try { parent = 'parent:' + window.parent.document.title; } catch (e) { parent = 'no-parent'; }
              return cookie + '|' + parent;
            }
            """);
        Assert.Equal("no-cookies|no-parent", reach);
        // Its origin is "null", so reading its own files (fetch, and module scripts alike) is a cross-origin request,
        // which the canvas server allows.
        Assert.Equal(200, await frame.EvaluateAsync<int>("() => fetch('index.html').then(r => r.status)"));
        Assert.Equal("allow-scripts", await page.Locator("iframe.canvas").GetAttributeAsync("sandbox"));

        // Stopped from another window: this page's canvas gives way to the placeholder without a reload (left open, the
        // gallery would keep reconnecting to an agent that is no longer woken).
        var other = await page.Context.NewPageAsync();
        await other.GotoAsync(page.Url);
        await Expect(page.Locator("p.notice")).ToHaveTextAsync("Photo Library started.");
        await other.GetByTestId("stop").ClickAsync();
        await Expect(page.GetByTestId("agent-status")).ToHaveTextAsync("stopped");
        await Expect(page.Locator("p.notice")).ToHaveCountAsync(0); // "started" is no longer true
        await Expect(page.GetByTestId("start")).ToBeEnabledAsync();
        await Expect(page.GetByTestId("stop")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("canvas-placeholder")).ToContainTextAsync("Photo Library is stopped.");
        await Expect(page.Locator("iframe.canvas")).ToBeHiddenAsync();
        Assert.Null(await page.Locator("iframe.canvas").GetAttributeAsync("src"));
        await page.ReloadAsync();
        await Expect(page.GetByTestId("chat")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.GetByTestId("canvas-placeholder")).ToContainTextAsync("answered when it starts");
        await Expect(page.GetByLabel("Message")).ToHaveAttributeAsync("placeholder", "Message Photo Library (stopped: it answers when started)");

        // Written while it is stopped, answered when it starts (its sandbox is new; its workspace kept where it was).
        await page.GetByLabel("Message").FillAsync("are you back?");
        await page.GetByLabel("Message").PressAsync("Enter");
        await Expect(messages.Filter(new() { HasText = "are you back?" })).ToHaveCountAsync(1);
        // Started from the other window: the canvas comes back here too.
        await other.ReloadAsync();
        await other.GetByTestId("start").ClickAsync();
        await Expect(page.GetByTestId("agent-status")).ToHaveTextAsync("running", new() { Timeout = Patient });
        await Expect(page.Locator("iframe.canvas")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("canvas-placeholder")).ToBeHiddenAsync();
        await other.CloseAsync();
        await Expect(messages.Filter(new() { HasText = "Ask me to build a photo library" }).Locator(".author")).ToHaveTextAsync("Photo Library", new() { Timeout = Patient });
        await Expect(messages.Filter(new() { HasText = "Found 234 photos!" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Alice_creates_a_react_dashboard_agent_whose_tab_renders_the_groups_data_and_shows_the_next_refresh()
    {
        var page = await SignedInPageAsync("alice");
        await page.GotoAsync(new Uri(stack.WebUrl, "/g/feldmans/r/photos").ToString());
        await page.GetByRole(AriaRole.Tab, new() { Name = "Create an agent" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Room Dashboard");
        await page.Locator("input[type=radio][value=react-dashboard]").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create agent" }).ClickAsync();
        await Expect(page.GetByTestId("agent-status")).ToHaveTextAsync("stopped");
        await page.GetByTestId("start").ClickAsync();
        await Expect(page.GetByTestId("agent-status")).ToHaveTextAsync("running", new() { Timeout = Patient });

        var asked = $"how is the room doing? {Guid.NewGuid():N}";
        await Expect(page.GetByTestId("chat")).ToHaveAttributeAsync("data-ready", "true");
        await page.GetByLabel("Message").FillAsync(asked);
        await page.GetByLabel("Message").PressAsync("Enter");
        var messages = page.GetByTestId("message");
        var replies = messages.Filter(new() { HasText = "Dashboard refreshed: " });
        await Expect(replies).ToHaveCountAsync(1);
        await Expect(replies.Locator(".author")).ToHaveTextAsync("Room Dashboard");

        // React renders the agent's dashboard.json inside the sandboxed iframe, from the Vite build's relative bundle.
        var canvas = page.FrameLocator("iframe.canvas");
        await Expect(canvas.GetByTestId("title")).ToHaveTextAsync("The Feldmans · #photos");
        await Expect(canvas.GetByTestId("stat-photos").Locator("strong")).ToHaveTextAsync("234");
        foreach (var member in new[] { "Alice", "Bob", "Carol" })
        {
            await Expect(canvas.GetByTestId("members")).ToContainTextAsync(member);
        }

        var frame = page.Frames.Single(f => f.Url.Contains("/agent/", StringComparison.Ordinal));
        Assert.StartsWith("./assets/", await frame.EvaluateAsync<string>("() => document.querySelector('script[type=module]').getAttribute('src')"), StringComparison.Ordinal);

        // The refresh that answers a question lists it among the room's latest messages (the agent hears it as
        // famiglia-web stores it, and waits for the store), and the next refresh reaches the open tab the same way.
        await Expect(canvas.GetByTestId("recent-messages")).ToContainTextAsync(asked);

        // The app follows its version itself and says so: the next bump updates it in place, the tab is not reloaded
        // (what the page was given survives).
        await page.WaitForFunctionAsync("() => document.querySelector('iframe.canvas').dataset.live === 'true'");
        await frame.EvaluateAsync("() => { window.sameDocument = 'yes' }");
        await page.GetByLabel("Message").FillAsync("and now?");
        await page.GetByLabel("Message").PressAsync("Enter");
        await Expect(replies).ToHaveCountAsync(2);
        await Expect(canvas.GetByTestId("recent-messages")).ToContainTextAsync("and now?");
        Assert.Equal("yes", await page.Frames.Single(f => f.Url.Contains("/agent/", StringComparison.Ordinal)).EvaluateAsync<string?>("() => window.sameDocument ?? null"));

        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        await alice.PostFormAsync(new Uri(page.Url).AbsolutePath, "Delete");
    }

    [Fact]
    public async Task An_empty_canvas_whose_socket_connects_after_the_agents_first_drawing_reloads_to_show_it()
    {
        // Seen on a fresh stack: a tab loaded an agent's canvas while it had drawn nothing (the placeholder page), the
        // agent then drew and bumped the version before the placeholder's socket connected, and the socket's first
        // version was taken as the one to compare later ones with: the tab showed "Nothing on this canvas yet" for good.
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        var agentPage = await RunningPhotoLibraryAsync(alice, "Blank Slate"); // draws only when asked
        var page = await SignedInPageAsync("alice");
        await page.GotoAsync(new Uri(stack.WebUrl, agentPage).ToString());
        var canvasUrl = await page.Locator("iframe.canvas").GetAttributeAsync("data-src");
        Assert.NotNull(canvasUrl);

        // The canvas on its own, its socket answered here: the first connection tells of a version after the one the
        // page was served at (the drawing that came in between), the next ones of the version the page has.
        var canvasPage = await page.Context.NewPageAsync();
        var connections = 0;
        await canvasPage.RouteWebSocketAsync("**/_canvas/events", async socket =>
        {
            // 0 for a page that does not say its version (the placeholder before this fix), which never reloads.
            var served = await canvasPage.EvaluateAsync<int>("() => Number(document.documentElement.dataset.canvasVersion) || 0");
            socket.Send($$"""{"version":{{(Interlocked.Increment(ref connections) == 1 ? served + 1 : served)}}}""");
        });
        var loads = 0;
        canvasPage.Load += (_, _) => Interlocked.Increment(ref loads);
        await canvasPage.GotoAsync(canvasUrl);
        await Expect(canvasPage.GetByText("Nothing on this canvas yet")).ToBeVisibleAsync();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Volatile.Read(ref loads) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the placeholder did not reload (loads: {loads}, socket connections: {connections})");
            await Task.Delay(50);
        }

        await alice.PostFormAsync(agentPage, "Delete");
    }

    [Fact]
    public async Task A_canvas_drawn_again_between_the_tabs_render_and_its_chat_joining_is_reloaded()
    {
        // The room page reloads its canvas on a version bump it hears on the chat hub; a bump that came after the page
        // was rendered and before it joined the hub was heard by nobody, and the tab kept the older drawing.
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        var agentPage = await RunningPhotoLibraryAsync(alice, "Late Joiner");
        var asker = await SignedInPageAsync("alice");
        await asker.GotoAsync(new Uri(stack.WebUrl, agentPage).ToString());
        await Expect(asker.GetByTestId("chat")).ToHaveAttributeAsync("data-ready", "true");
        var replies = asker.GetByTestId("message").Filter(new() { HasText = "Found 234 photos! Gallery is ready." });
        await asker.GetByLabel("Message").FillAsync("Build me a photo library from all group photos");
        await asker.GetByLabel("Message").PressAsync("Enter");
        await Expect(replies).ToHaveCountAsync(1);

        // The tab's chat connection held back until the agent has drawn again; and its canvas deaf to its own version
        // socket, as a page an agent writes without the gallery's follow-the-version script is.
        var page = await SignedInPageAsync("alice");
        await page.RouteWebSocketAsync("**/_canvas/events", _ => { });
        var joinLater = new TaskCompletionSource();
        await page.RouteAsync("**/hubs/chat/negotiate**", async route =>
        {
            await joinLater.Task;
            await route.ContinueAsync();
        });
        var canvasLoads = 0;
        page.FrameNavigated += (_, frame) =>
        {
            if (frame != page.MainFrame)
            {
                Interlocked.Increment(ref canvasLoads);
            }
        };
        await page.GotoAsync(new Uri(stack.WebUrl, agentPage).ToString());
        await Expect(page.FrameLocator("iframe.canvas").Locator("img")).ToHaveCountAsync(234);
        var loadsBefore = Volatile.Read(ref canvasLoads);

        await asker.GetByLabel("Message").FillAsync("Build me a photo library from all group photos");
        await asker.GetByLabel("Message").PressAsync("Enter");
        await Expect(replies).ToHaveCountAsync(2); // the agent bumps its canvas before it replies
        joinLater.SetResult();
        await Expect(page.GetByTestId("chat")).ToHaveAttributeAsync("data-ready", "true");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref canvasLoads) == loadsBefore)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the canvas was not reloaded after the tab joined (loads: {canvasLoads})");
            await Task.Delay(50);
        }

        await alice.PostFormAsync(agentPage, "Delete");
    }

    [Fact]
    public async Task A_person_outside_a_participants_only_room_sees_neither_it_nor_its_chat()
    {
        // carol is in feldmans but not a participant of #family (the seed's PARTICIPANTS_ONLY room).
        var page = await SignedInPageAsync("carol");
        await page.GotoAsync(new Uri(stack.WebUrl, "/g/feldmans").ToString());
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "#photos" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "#family" })).ToHaveCountAsync(0);
        var response = await page.GotoAsync(new Uri(stack.WebUrl, "/g/feldmans/r/family").ToString());
        Assert.Equal(404, response!.Status);
    }

    [Fact]
    public async Task A_message_from_another_day_shows_its_date_and_one_from_today_its_time_only()
    {
        // The seed's #photos chat is three days old; a conversation that spans days must not read as out of order.
        var page = await SignedInPageAsync("bob", new() { Locale = "en-US", TimezoneId = "UTC" });
        await page.GotoAsync(new Uri(stack.WebUrl, "/g/feldmans/r/photos").ToString());
        await Expect(page.GetByTestId("chat")).ToHaveAttributeAsync("data-ready", "true");
        var old = page.GetByTestId("message").Filter(new() { HasText = "Uploaded the beach photos" }).Locator("time");
        var oldAt = DateTimeOffset.Parse(await old.GetAttributeAsync("datetime") ?? "", System.Globalization.CultureInfo.InvariantCulture).UtcDateTime;
        Assert.True(oldAt.Date < DateTime.UtcNow.Date, $"the seeded message is from {oldAt:u}, not an earlier day");
        await Expect(old).ToHaveTextAsync(oldAt.ToString("MMM d, hh:mm tt", System.Globalization.CultureInfo.GetCultureInfo("en-US")));

        var body = $"today's message {Guid.NewGuid():N}";
        await page.GetByLabel("Message").FillAsync(body);
        await page.GetByLabel("Message").PressAsync("Enter");
        var today = page.GetByTestId("message").Filter(new() { HasText = body }).Locator("time");
        await Expect(today).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{2}:\d{2} [AP]M$"));
    }

    [Fact]
    public async Task A_long_unbroken_message_wraps_inside_the_chat()
    {
        var page = await SignedInPageAsync("carol", new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        await page.GotoAsync(new Uri(stack.WebUrl, "/g/feldmans/r/photos").ToString());
        await Expect(page.GetByTestId("chat")).ToHaveAttributeAsync("data-ready", "true");
        var word = "w" + new string('z', 3000) + Guid.NewGuid().ToString("N");
        await page.GetByLabel("Message").FillAsync(word);
        await page.GetByLabel("Message").PressAsync("Enter");
        var message = page.GetByTestId("message").Filter(new() { HasText = word });
        await Expect(message).ToBeVisibleAsync();

        var list = await page.GetByTestId("messages").BoundingBoxAsync();
        var time = await message.Locator("time").BoundingBoxAsync();
        Assert.True(time!.X + time.Width <= list!.X + list.Width, $"the time ends at {time.X + time.Width}px, the chat at {list.X + list.Width}px");
        var overflow = await page.GetByTestId("messages").EvaluateAsync<double>("e => e.scrollWidth - e.clientWidth");
        Assert.True(overflow <= 0, $"the chat scrolls sideways by {overflow}px");
    }

    [Fact]
    public async Task The_room_page_fits_a_phone_screen()
    {
        var page = await SignedInPageAsync("bob", new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        await page.GotoAsync(new Uri(stack.WebUrl, "/g/feldmans/r/photos").ToString());
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the phone screen");
        var composer = await page.GetByTestId("composer").BoundingBoxAsync();
        Assert.True(composer!.X >= 0 && composer.X + composer.Width <= 390, "the message box does not fit the screen");
    }

    /// <summary>A photo-library agent created and started by <paramref name="person"/>, once it runs; its tab's page.</summary>
    private async Task<string> RunningPhotoLibraryAsync(WebSession person, string name)
    {
        var (agentId, agentPage) = await person.CreateAgentAsync(name, "photo-library");
        await person.PostFormAsync(agentPage, "Start");
        await WebDatabase.WaitForStatusAsync(stack, agentId, "RUNNING");
        return agentPage;
    }

    private async Task<IPage> SignedInPageAsync(string name, BrowserNewContextOptions? options = null)
    {
        Assert.False(stack.Web.HasExited, "famiglia-web exited:\n" + stack.Web.Output());
        var context = await _browser.NewContextAsync(options);
        var page = await context.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"[browser {message.Type}] {message.Text}");
        await page.GotoAsync(stack.WebUrl.ToString());
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync("famiglia");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // The header shows the person's display name; the handle is its tooltip.
        await Expect(page.GetByTestId("who")).ToHaveTextAsync(char.ToUpperInvariant(name[0]) + name[1..]);
        await Expect(page.GetByTestId("who")).ToHaveAttributeAsync("title", $"@u:{name}@{stack.Ejabberd.Host}");
        return page;
    }
}
