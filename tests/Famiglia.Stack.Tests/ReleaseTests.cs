using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Famiglia.Xmpp;
using Xunit.Abstractions;

namespace Famiglia.Stack.Tests;

/// <summary>
/// Publishing an agent's own code (<c>aegis app publish</c>, here aegisd's API) to an agent made in the UI, against the
/// real stack: the kit's <c>on_publish</c> tells famiglia-web, which moves a running agent to the release at once and
/// leaves a stopped one to take it at its next start.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ReleaseTests(FamigliaStack stack, ITestOutputHelper output) : IAsyncLifetime
{
    private RoomPerson? _person;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        output.WriteLine("--- famiglia-web ---\n" + stack.Web.Output());
        output.WriteLine("--- aegisd ---\n" + stack.Aegis.Output());
        if (_person is not null)
        {
            await _person.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_published_release_replaces_a_running_agents_code_at_once_and_a_stopped_agents_at_its_next_start()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        using var aegis = stack.Aegis.CreateClient();
        var (agentId, page) = await alice.CreateAgentAsync("Release Echo", "echo");
        var nick = $"@s:release-echo@{stack.Ejabberd.Host}";
        _person = await RoomPerson.JoinAsync(stack.Ejabberd, new Jid("photos.feldmans", stack.Ejabberd.MucService), "erin");

        await alice.PostFormAsync(page, "Start");
        await WebDatabase.WaitUntilAsync(async () => (await AgentAsync(agentId)).Status == "RUNNING", "RUNNING");
        var (_, _, _, appId, templateInstance, thread) = await AgentAsync(agentId);

        // An admin finds in its settings how to publish to it, and which code it runs.
        var settings = await alice.GetStringAsync(page + "?settings=true");
        Assert.Contains($"aegis app publish DIR --app {appId}", settings, StringComparison.Ordinal);
        Assert.Contains("Runs its template (nothing published).", settings, StringComparison.Ordinal);

        // Published while it runs: famiglia-web has aegisd replace the instance with one on the release, and the
        // release's agent is what answers.
        var first = await PublishAsync(aegis, appId, "first");
        await WebDatabase.WaitUntilAsync(async () => await AgentAsync(agentId) is { Status: "RUNNING", InstanceId: { } id } && id != templateInstance
            && await ReleaseOfAsync(aegis, id) == first, "the running agent moved to the first release");
        await WebDatabase.WaitUntilAsync(async () => !await IsLiveAsync(aegis, templateInstance!), "the template's instance gone");
        await _person.Room.SendAsync("hello one", thread);
        Assert.Equal("first heard: hello one", (await _person.Heard.NextMatchingAsync(m => m.Nick == nick)).Body);
        Assert.Contains("Runs version 1 of its published code.", await alice.GetStringAsync(page + "?settings=true"), StringComparison.Ordinal);

        // Published while stopped: nothing boots, and the agent stays stopped.
        await alice.PostFormAsync(page, "Stop");
        await WebDatabase.WaitUntilAsync(async () => (await AgentAsync(agentId)).Status == "STOPPED", "STOPPED");
        var second = await PublishAsync(aegis, appId, "second");
        await WebDatabase.WaitUntilAsync(() => Task.FromResult(stack.Web.Output().Contains("Agent Release Echo runs version 2 from its next start", StringComparison.Ordinal)),
            "famiglia-web to have handled the second release");
        Assert.DoesNotContain((await aegis.GetFromJsonAsync<JsonElement>($"/v1/instances?appId={appId}")).EnumerateArray(),
            i => i.GetProperty("state").GetString() is not ("terminated" or "error"));
        Assert.Equal("STOPPED", (await AgentAsync(agentId)).Status);
        Assert.Contains("Not running; it starts on version 2 of its published code.", await alice.GetStringAsync(page + "?settings=true"), StringComparison.Ordinal);

        // Its next start runs the second release.
        await alice.PostFormAsync(page, "Start");
        await WebDatabase.WaitUntilAsync(async () => await AgentAsync(agentId) is { Status: "RUNNING", InstanceId: { } id } && await ReleaseOfAsync(aegis, id) == second,
            "the agent started on the second release");
        await _person.Room.SendAsync("hello two", thread);
        Assert.Equal("second heard: hello two", (await _person.Heard.NextMatchingAsync(m => m.Nick == nick)).Body);

        await alice.PostFormAsync(page, "Delete");
    }

    [Fact]
    public async Task The_react_dashboards_build_published_as_its_readme_says_replaces_an_echo_agent_and_serves_its_app_through_the_router()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        using var aegis = stack.Aegis.CreateClient();
        var (agentId, page) = await alice.CreateAgentAsync("Published Dashboard", "echo");
        var nick = $"@s:published-dashboard@{stack.Ejabberd.Host}";
        _person = await RoomPerson.JoinAsync(stack.Ejabberd, new Jid("photos.feldmans", stack.Ejabberd.MucService), "fritz");
        await alice.PostFormAsync(page, "Start");
        await WebDatabase.WaitUntilAsync(async () => (await AgentAsync(agentId)).Status == "RUNNING", "RUNNING");
        var (_, _, _, appId, templateInstance, thread) = await AgentAsync(agentId);

        // `npm run build && aegis app publish dist --app APPID`: the template's dist/, as the image's build left it.
        var dist = Path.Combine(stack.Image.RootDirectory, "opt/famiglia/templates/react-dashboard/dist");
        var release = await AgentReleases.PublishDirectoryAsync(aegis, appId!, dist);
        await WebDatabase.WaitUntilAsync(async () => await AgentAsync(agentId) is { Status: "RUNNING", InstanceId: { } id } && id != templateInstance
            && await ReleaseOfAsync(aegis, id) == release, "the running agent moved to the release");

        await _person.Room.SendAsync("hello dashboard", thread);
        var reply = await _person.Heard.NextMatchingAsync(m => m.Nick == nick);
        Assert.StartsWith("Dashboard refreshed: ", reply.Body, StringComparison.Ordinal);
        Assert.EndsWith(" messages in #photos.", reply.Body, StringComparison.Ordinal);
        Assert.Equal(thread, reply.Thread);

        // /agent/index.js found the SDK and copied /agent/canvas into its canvas, which the router serves as the tab's iframe loads it.
        using var router = new HttpClient { BaseAddress = stack.RouterUrl };
        var html = await router.GetStringAsync($"/agent/{appId}/index.html");
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dist, "canvas", "index.html")), html);
        var bundle = System.Text.RegularExpressions.Regex.Match(html, "src=\"\\./(assets/[^\"]+\\.js)\"").Groups[1].Value;
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dist, "canvas", bundle)), await router.GetByteArrayAsync($"/agent/{appId}/{bundle}"));
        using var dashboard = JsonDocument.Parse(await router.GetStringAsync($"/agent/{appId}/dashboard.json"));
        Assert.Equal(["Alice", "Bob", "Carol"], dashboard.RootElement.GetProperty("group").GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("displayName").GetString()).Where(n => n is "Alice" or "Bob" or "Carol").Order());

        await alice.PostFormAsync(page, "Delete");
    }

    /// <summary>Publishes an agent (node, as the kit's image runs <c>/agent/index.js</c>) that answers in the thread it
    /// was written in with "<paramref name="name"/> heard: …"; returns the release id.</summary>
    private static async Task<string> PublishAsync(HttpClient aegis, string? appId, string name)
    {
        var agent = $$"""
            const readline = require("readline");
            let next = 1;
            const send = (o) => process.stdout.write(JSON.stringify(o) + "\n");
            send({ jsonrpc: "2.0", id: next++, method: "ready", params: { sdk: "release-test" } });
            readline.createInterface({ input: process.stdin }).on("line", (line) => {
              const m = JSON.parse(line);
              if (m.method !== "message") return;
              send({ jsonrpc: "2.0", id: next++, method: "say", params: { text: "{{name}} heard: " + m.params.body, thread: m.params.thread } });
              send({ jsonrpc: "2.0", id: m.id, result: null });
            });
            """;
        return await AgentReleases.PublishIndexJsAsync(aegis, appId!, agent);
    }

    private static async Task<string?> ReleaseOfAsync(HttpClient aegis, string instanceId) =>
        (await aegis.GetFromJsonAsync<JsonElement>($"/v1/instances/{instanceId}")).GetProperty("releaseId").GetString();

    private static async Task<bool> IsLiveAsync(HttpClient aegis, string instanceId) =>
        (await aegis.GetFromJsonAsync<JsonElement>($"/v1/instances/{instanceId}")).GetProperty("state").GetString() is not ("terminated" or "error");

    private Task<AgentRow> AgentAsync(string agentId) => WebDatabase.AgentAsync(stack, agentId);
}
