using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Famiglia.TestKit;
using Microsoft.Playwright;

// The product's two user-facing numbers (issue 8), in Debian's chromium against the whole stack (FamigliaStack:
// ejabberd, aegisd with bwrap sandboxes on the agent-base image, famiglia-web), Release build:
//   dotnet build -c Release Aegis.slnx && dotnet run -c Release --no-build --project bench/Famiglia.Stack.Bench -- [--messages 50] [--opens 20] [--colds 10]
// 1. a message typed in the browser → the agent's reply rendered in the page (Echo agent: no agent logic), timed in
//    the page from the submit to the reply's DOM insertion;
// 2. opening the tab of a paused agent → its canvas visible (Photo Library gallery), from navigation start to the
//    gallery's heading being visible in the iframe; the agent is paused through aegisd before each open;
// 3. a terminated agent (no instance: scale to zero) → first byte of its canvas through aegisd's router: a cold boot of
//    the sandbox, the harness and the agent, until the canvas server answers; the instance is terminated through aegisd
//    before each request (issue 5's "cold → first byte with the harness"). With --pool N aegisd keeps N sandboxes of the
//    famiglia kit warm (Aegis:WarmPool:famiglia), each request waits until the pool is full again first, and the number
//    is issue 5's "pool → first byte".
var messages = BenchArgs.Int(args, "--messages", 50);
var opens = BenchArgs.Int(args, "--opens", 20);
var colds = BenchArgs.Int(args, "--colds", 10);
var pool = BenchArgs.Int(args, "--pool", 0);

await using var stack = new FamigliaStack { AegisSettings = [$"--Aegis:WarmPool:famiglia={pool}"] };
await stack.InitializeAsync();
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
var page = await (await browser.NewContextAsync()).NewPageAsync();
page.SetDefaultTimeout(120_000);
await page.GotoAsync(stack.WebUrl.ToString());
await page.GetByLabel("Name").FillAsync("alice");
await page.GetByLabel("Password").FillAsync("famiglia");
await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
await page.GetByTestId("who").WaitForAsync();

async Task<string> CreateAndStartAsync(string name, string template)
{
    await page.GotoAsync(new Uri(stack.WebUrl, "/g/feldmans/r/photos/new").ToString());
    await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
    await page.Locator($"input[type=radio][value={template}]").CheckAsync();
    await page.GetByRole(AriaRole.Button, new() { Name = "Create agent" }).ClickAsync();
    await page.GetByTestId("start").ClickAsync();
    await page.Locator("[data-testid=agent-status]:text('running')").WaitForAsync();
    await page.Locator("[data-testid=chat][data-ready=true]").WaitForAsync();
    return page.Url;
}

// 1. Message → reply rendered.
await CreateAndStartAsync("Bench Echo", "echo");
var roundTrips = new List<double>();
for (var i = 0; i < messages + 5; i++)
{
    var ms = await page.EvaluateAsync<double>("""
        (text) => new Promise((resolve) => {
          const list = document.querySelector('[data-testid=messages]');
          const form = document.querySelector('[data-testid=composer]');
          const start = performance.now();
          new MutationObserver((changes, observer) => {
            if ([...list.querySelectorAll('.body')].some(b => b.textContent === 'echo: ' + text)) {
              observer.disconnect();
              resolve(performance.now() - start);
            }
          }).observe(list, { childList: true });
          form.elements.body.value = text;
          form.requestSubmit();
        })
        """, $"bench {i} {Guid.NewGuid():N}");
    if (i >= 5)
    {
        roundTrips.Add(ms); // the first five warm up connections and JIT
    }
}

if (messages > 0)
{
    Console.WriteLine($"browser message → agent reply rendered over {messages}: p50 {Percentile(roundTrips, 50):0.0} ms, p90 {Percentile(roundTrips, 90):0.0} ms, p99 {Percentile(roundTrips, 99):0.0} ms");
}

// 2. Paused agent's tab → canvas visible.
var photoTab = await CreateAndStartAsync("Bench Photos", "photo-library");
await page.GetByLabel("Message").FillAsync("Build me a photo library from all group photos");
await page.GetByLabel("Message").PressAsync("Enter");
await page.FrameLocator("iframe.canvas").Locator("h1").WaitForAsync();
using var aegis = stack.Aegis.CreateClient();
var apps = await aegis.GetFromJsonAsync<JsonElement>("/v1/apps");
var appId = apps.EnumerateArray().Single(a => a.GetProperty("name").GetString() == "s-bench-photos").GetProperty("appId").GetString();
var openTimes = new List<double>();
for (var i = 0; i < opens; i++)
{
    await page.GotoAsync("about:blank");
    var running = (await aegis.GetFromJsonAsync<JsonElement>($"/v1/instances?appId={appId}")).EnumerateArray()
        .Single(x => x.GetProperty("state").GetString() == "running").GetProperty("instanceId").GetString();
    (await aegis.PostAsync($"/v1/instances/{running}/pause", null)).EnsureSuccessStatusCode();
    var clock = Stopwatch.StartNew();
    await page.GotoAsync(photoTab, new() { WaitUntil = WaitUntilState.Commit });
    await page.FrameLocator("iframe.canvas").Locator("h1").WaitForAsync(new() { State = WaitForSelectorState.Visible });
    openTimes.Add(clock.Elapsed.TotalMilliseconds);
    await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
}

if (opens > 0)
{
    Console.WriteLine($"paused agent's tab → canvas visible over {opens}: p50 {Percentile(openTimes, 50):0} ms, p90 {Percentile(openTimes, 90):0} ms, min {openTimes.Min():0} ms");
}

// 3. Terminated agent → canvas first byte through the router. The browser leaves the agent's tab first: its canvas
// iframe would wake the agent itself, racing the measured request.
await page.GotoAsync("about:blank");
using var router = new HttpClient { BaseAddress = stack.RouterUrl, Timeout = TimeSpan.FromSeconds(60) };
var coldTimes = new List<double>();
for (var i = 0; i < colds; i++)
{
    foreach (var instance in (await aegis.GetFromJsonAsync<JsonElement>($"/v1/instances?appId={appId}")).EnumerateArray()
        .Where(x => x.GetProperty("state").GetString() is "running" or "paused"))
    {
        (await aegis.PostAsync($"/v1/instances/{instance.GetProperty("instanceId").GetString()}/terminate", null)).EnsureSuccessStatusCode();
    }

    while (pool > 0 && (await aegis.GetFromJsonAsync<JsonElement>("/v1/pool")).EnumerateArray()
        .Single(k => k.GetProperty("kit").GetString() == "famiglia").GetProperty("ready").GetArrayLength() < pool)
    {
        await Task.Delay(50);
    }

    var clock = Stopwatch.StartNew();
    using var response = await router.GetAsync($"/agent/{appId}/", HttpCompletionOption.ResponseHeadersRead);
    coldTimes.Add(clock.Elapsed.TotalMilliseconds);
    response.EnsureSuccessStatusCode();
}

var paths = (await aegis.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("aegis_ensure_seconds_count", StringComparison.Ordinal));
Console.WriteLine($"terminated agent → canvas first byte through the router{(pool > 0 ? $" with a warm pool of {pool}" : "")} over {colds}: " +
    $"p50 {Percentile(coldTimes, 50):0} ms, p90 {Percentile(coldTimes, 90):0} ms, min {coldTimes.Min():0} ms ({string.Join("; ", paths)}); " +
    $"all, sorted: {string.Join(" ", coldTimes.Order().Select(t => t.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}");

static double Percentile(List<double> values, int p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
