using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Famiglia.Stack.Tests;

/// <summary>
/// The group's agents' environment (the kit's <c>per_workspace</c> secrets, e.g. an AI provider key) against the real
/// stack: set once by a group admin, it reaches every agent of the group under the agent's own environment, and
/// running agents restart to take a change. The agents here run a published <c>index.js</c> that writes what it was
/// given to its workspace.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class GroupEnvTests(FamigliaStack stack, ITestOutputHelper output) : IDisposable
{
    public void Dispose()
    {
        output.WriteLine("--- famiglia-web ---\n" + stack.Web.Output());
    }

    [Fact]
    public async Task A_group_admin_sets_an_environment_every_agent_gets_under_its_own_and_running_agents_restart_to_take_it()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        using var aegis = stack.Aegis.CreateClient();
        var own = await CreateAsync(alice, aegis, "Group Env Own", "AI_KEY=own-value-a1");
        var plain = await CreateAsync(alice, aegis, "Group Env Plain", null);
        try
        {
            await StartAsync(alice, plain);
            Assert.Equal("|", await SeenAsync(plain));

            // Bad input: the page says which name, and nothing is stored.
            var (status, bad) = await alice.PostFormPageAsync("/g/feldmans", "Env", new() { ["Env.Set"] = "GOOD=x\n1BAD=y" });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("&#x27;1BAD&#x27; cannot be set", bad, StringComparison.Ordinal);
            Assert.IsType<DBNull>(await WebDatabase.ScalarAsync(stack, "SELECT AgentEnv FROM Groups WHERE Slug = 'feldmans'"));

            // Set for the group: the running agent restarts with both values; the stopped one has them from its start,
            // its own AI_KEY winning.
            var before = (await WebDatabase.AgentAsync(stack, plain.Id)).InstanceId;
            await alice.PostFormAsync("/g/feldmans", "Env", new() { ["Env.Set"] = "AI_KEY=group-value-g1\nMODEL=group-model-m1" });
            var notice = await NoticeAsync(alice);
            Assert.Contains("Group Env Plain", notice, StringComparison.Ordinal);
            Assert.DoesNotContain("Group Env Own", notice, StringComparison.Ordinal);
            Assert.NotEqual(before, (await WebDatabase.AgentAsync(stack, plain.Id)).InstanceId);
            Assert.Equal("group-value-g1|group-model-m1", await SeenAsync(plain));
            Assert.Equal("STOPPED", (await WebDatabase.AgentAsync(stack, own.Id)).Status);
            await StartAsync(alice, own);
            Assert.Equal("own-value-a1|group-model-m1", await SeenAsync(own));

            // Names only, for admins only; sealed at rest.
            var html = await alice.GetStringAsync("/g/feldmans");
            Assert.Contains("remove <code>AI_KEY</code>", html, StringComparison.Ordinal);
            Assert.Contains("remove <code>MODEL</code>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("group-value-g1", html, StringComparison.Ordinal);
            var stored = (string?)await WebDatabase.ScalarAsync(stack, "SELECT AgentEnv FROM Groups WHERE Slug = 'feldmans'");
            Assert.StartsWith("sealed:v1:", stored, StringComparison.Ordinal);
            Assert.DoesNotContain("group-value-g1", stored, StringComparison.Ordinal);
            using (var bob = await WebSession.SignInAsync(stack.WebUrl, "bob"))
            {
                Assert.DoesNotContain("data-testid=\"group-env\"", await bob.GetStringAsync("/g/feldmans"), StringComparison.Ordinal);
                Assert.Equal(HttpStatusCode.Forbidden, await bob.PostFormStatusAsync("/g/feldmans", "Env", tokenFrom: "/g/feldmans/r/photos/new"));
            }

            // A value an agent overrides does not restart it; one it takes from the group does.
            var ownInstance = (await WebDatabase.AgentAsync(stack, own.Id)).InstanceId;
            before = (await WebDatabase.AgentAsync(stack, plain.Id)).InstanceId;
            await alice.PostFormAsync("/g/feldmans", "Env", new() { ["Env.Set"] = "AI_KEY=group-value-g2" });
            notice = await NoticeAsync(alice);
            Assert.Contains("Group Env Plain", notice, StringComparison.Ordinal);
            Assert.DoesNotContain("Group Env Own", notice, StringComparison.Ordinal);
            Assert.Equal("group-value-g2|group-model-m1", await SeenAsync(plain));
            Assert.Equal(ownInstance, (await WebDatabase.AgentAsync(stack, own.Id)).InstanceId);

            // Removed from the group: gone from both agents' apps in aegisd, and both restart without it.
            await alice.PostFormAsync("/g/feldmans", "Env", new() { ["Env.Remove"] = "MODEL" });
            Assert.Contains("Group Env Own, Group Env Plain", await NoticeAsync(alice), StringComparison.Ordinal);
            Assert.Equal("own-value-a1|", await SeenAsync(own));
            Assert.Equal("group-value-g2|", await SeenAsync(plain));
            Assert.DoesNotContain("MODEL", await SecretNamesAsync(aegis, plain.AppId));
            Assert.Contains("AI_KEY", await SecretNamesAsync(aegis, plain.AppId));
        }
        finally
        {
            await alice.PostFormAsync("/g/feldmans", "Env", new() { ["Env.Remove"] = "AI_KEY" });
            await alice.PostFormAsync("/g/feldmans", "Env", new() { ["Env.Remove"] = "MODEL" });
            await alice.PostFormAsync($"/g/feldmans/r/photos/{own.Id}", "Delete");
            await alice.PostFormAsync($"/g/feldmans/r/photos/{plain.Id}", "Delete");
        }
    }

    private sealed record Agent(string Id, string AppId, string Seen);

    /// <summary>An agent made in the UI, with a release whose agent writes "AI_KEY|MODEL" as it was given to
    /// <c>/workspace/env-seen</c> when it starts.</summary>
    private async Task<Agent> CreateAsync(WebSession alice, HttpClient aegis, string name, string? env)
    {
        var (agentId, _) = await alice.CreateAgentAsync(name, "echo", env);
        var appId = (await WebDatabase.AgentAsync(stack, agentId)).AppId!;
        const string agent = """
            const fs = require("fs");
            fs.writeFileSync("/workspace/env-seen.tmp", `${process.env.AI_KEY ?? ""}|${process.env.MODEL ?? ""}`);
            fs.renameSync("/workspace/env-seen.tmp", "/workspace/env-seen");
            process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ready", params: { sdk: "group-env-test" } }) + "\n");
            require("readline").createInterface({ input: process.stdin }).on("line", () => {});
            """;
        await AgentReleases.PublishIndexJsAsync(aegis, appId, agent);
        return new Agent(agentId, appId, Path.Combine(stack.Aegis.DataDirectory, "apps", appId, "volume", "workspace", "env-seen"));
    }

    private async Task StartAsync(WebSession alice, Agent agent)
    {
        File.Delete(agent.Seen);
        await alice.PostFormAsync($"/g/feldmans/r/photos/{agent.Id}", "Start");
        await WebDatabase.WaitUntilAsync(async () => (await WebDatabase.AgentAsync(stack, agent.Id)).Status == "RUNNING", $"{agent.Id} RUNNING");
    }

    /// <summary>What the agent's current boot wrote: waits for the file of a boot that happened after the last
    /// <see cref="StartAsync"/> or restart (the caller deletes it, or the restart replaced it).</summary>
    private static async Task<string> SeenAsync(Agent agent)
    {
        await WebDatabase.WaitUntilAsync(() => Task.FromResult(File.Exists(agent.Seen)), $"{agent.Seen}");
        var seen = await File.ReadAllTextAsync(agent.Seen);
        File.Delete(agent.Seen);
        return seen;
    }

    /// <summary>The notice the group page shows after a save: "… Restarted to take it: A, B." (other running agents of the
    /// group, such as the demo's, are restarted too).</summary>
    private static async Task<string> NoticeAsync(WebSession alice)
    {
        var match = System.Text.RegularExpressions.Regex.Match(await alice.GetStringAsync("/g/feldmans"), "<p class=\"notice\" role=\"status\">([^<]*)</p>");
        Assert.True(match.Success, "no notice on the group page");
        Assert.Contains("Restarted to take it:", match.Groups[1].Value, StringComparison.Ordinal);
        return match.Groups[1].Value;
    }

    private static async Task<List<string>> SecretNamesAsync(HttpClient aegis, string appId)
    {
        var app = await aegis.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}");
        return [.. app.GetProperty("secretNames").EnumerateArray().Select(n => n.GetString()!)];
    }
}
