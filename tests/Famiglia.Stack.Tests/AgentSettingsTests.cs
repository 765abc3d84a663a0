using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Famiglia.Stack.Tests;

/// <summary>An agent's settings against the real stack: its canvas, and its extra environment (AI keys and the like),
/// which famiglia-web keeps sealed and aegisd keeps as the app's secrets.</summary>
[Collection(StackCollection.Name)]
public sealed class AgentSettingsTests(FamigliaStack stack, ITestOutputHelper output) : IDisposable
{
    public void Dispose()
    {
        output.WriteLine("--- famiglia-web ---\n" + stack.Web.Output());
    }

    [Fact]
    public async Task An_admin_changes_an_agents_environment_and_canvas_and_the_running_agent_restarts_with_them()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        using var aegis = stack.Aegis.CreateClient();
        var (agentId, page) = await alice.CreateAgentAsync("Settings Echo", "echo", "KEEP_ME=keep-value-k1\nDROP_ME=drop-value-d2");

        // A chat-only template: its tab has no canvas.
        var html = await alice.GetStringAsync(page);
        Assert.DoesNotContain("data-testid=\"canvas", html, StringComparison.Ordinal);

        await alice.PostFormAsync(page, "Start");
        await WebDatabase.WaitUntilAsync(async () => (await AgentAsync(agentId)).Status == "RUNNING", "RUNNING");
        var (_, _, _, appId, firstInstance, _) = await AgentAsync(agentId);

        // The settings show the variables' names, never their values; and what the running agent's sandbox uses (aegisd's
        // instance resources, read from its cgroup).
        html = await alice.GetStringAsync(page + "?settings=true");
        Assert.Matches(@"data-testid=""agent-usage"">Uses [0-9.]+ MiB of [0-9]+ MiB memory and has used [0-9.]+ s of CPU\.<", html);
        Assert.Contains("KEEP_ME", html, StringComparison.Ordinal);
        Assert.Contains("DROP_ME", html, StringComparison.Ordinal);
        Assert.DoesNotContain("keep-value-k1", html, StringComparison.Ordinal);
        Assert.DoesNotContain("drop-value-d2", html, StringComparison.Ordinal);

        // Bad input: the page says which variable, and nothing changes.
        var (status, bad) = await alice.PostFormPageAsync(page, "Settings", new()
        {
            ["Settings.Canvas"] = "true",
            ["Settings.Env"] = "GOOD_ONE=fine\n1BAD=x",
            ["Settings.Remove"] = "DROP_ME",
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("&#x27;1BAD&#x27; cannot be set", bad, StringComparison.Ordinal);
        Assert.Equal(["DROP_ME", "KEEP_ME"], await SecretNamesAsync(aegis, appId!, except: Kit));

        // A value the harness would refuse (so the agent would not start) is refused here, naming the variable.
        (status, bad) = await alice.PostFormPageAsync(page, "Settings", new()
        {
            ["Settings.Canvas"] = "true",
            ["Settings.Env"] = "FAMIGLIA_DELIVER_AGENT_MESSAGES=sometimes",
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("FAMIGLIA_DELIVER_AGENT_MESSAGES is mentions, all or none.", bad, StringComparison.Ordinal);
        Assert.Equal(["DROP_ME", "KEEP_ME"], await SecretNamesAsync(aegis, appId!, except: Kit));

        // Remove one, add one, show the canvas: aegisd has the new set, and the running agent was restarted for it.
        await alice.PostFormAsync(page, "Settings", new()
        {
            ["Settings.Canvas"] = "true",
            ["Settings.Env"] = "NEW_ONE=new-value-n3",
            ["Settings.Remove"] = "DROP_ME",
        });
        Assert.Equal(["KEEP_ME", "NEW_ONE"], await SecretNamesAsync(aegis, appId!, except: Kit));
        await WebDatabase.WaitUntilAsync(async () => (await AgentAsync(agentId)) is { Status: "RUNNING", InstanceId: { } id } && id != firstInstance, "a restart");
        html = await alice.GetStringAsync(page);
        Assert.Contains("restarted to take its new environment", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"canvas\"", html, StringComparison.Ordinal);
        var stored = (string?)await WebDatabase.ScalarAsync(stack, $"SELECT Env FROM AgentConfigs WHERE Id = '{agentId}'");
        Assert.StartsWith("sealed:v1:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("new-value-n3", stored, StringComparison.Ordinal);

        // A save brings aegisd to what famiglia-web stores, whatever it changed: what a save that failed half-way left
        // there (here a stray secret) goes with the next save, which changes nothing else and restarts nothing.
        var settledInstance = (await AgentAsync(agentId)).InstanceId;
        using (var stray = await aegis.PutAsJsonAsync($"/v1/apps/{appId}/secrets", new { secrets = new Dictionary<string, string> { ["STRAY"] = "left-over" } }))
        {
            stray.EnsureSuccessStatusCode();
        }

        await alice.PostFormAsync(page, "Settings", new() { ["Settings.Canvas"] = "true" });
        Assert.Equal(["KEEP_ME", "NEW_ONE"], await SecretNamesAsync(aegis, appId!, except: Kit));
        Assert.Equal(settledInstance, (await AgentAsync(agentId)).InstanceId);
        Assert.Contains("Settings saved.", await alice.GetStringAsync(page), StringComparison.Ordinal);

        // A new API key reaches aegisd the same way (the secrets of an existing app), and the agent restarts to take it.
        var secondInstance = (await AgentAsync(agentId)).InstanceId;
        await alice.PostFormAsync(page, "RegenerateKey");
        Assert.Contains("Settings Echo given a new API key.", await alice.GetStringAsync(page), StringComparison.Ordinal);
        await WebDatabase.WaitUntilAsync(async () => (await AgentAsync(agentId)) is { Status: "RUNNING", InstanceId: { } id } && id != secondInstance, "a restart for the new key");

        // Only group admins change settings.
        using var bob = await WebSession.SignInAsync(stack.WebUrl, "bob");
        Assert.Equal(HttpStatusCode.Forbidden, await bob.PostFormStatusAsync(page, "Settings"));
        Assert.DoesNotContain("?settings=true", await bob.GetStringAsync(page), StringComparison.Ordinal);

        // A handler a page does not have is not found (it was the page rendered without its model: a 500).
        Assert.Equal(HttpStatusCode.NotFound, await alice.PostFormStatusAsync(page, "NoSuchHandler"));

        await alice.PostFormAsync(page, "Delete");
    }

    [Fact]
    public async Task When_Aegis_does_not_take_a_save_nothing_is_stored_and_the_form_keeps_what_was_typed()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        using var aegis = stack.Aegis.CreateClient();
        var (agentId, page) = await alice.CreateAgentAsync("Orphaned Echo", "echo", "OLD_KEY=old-value-o1");
        var appId = (await AgentAsync(agentId)).AppId;
        var storedBefore = (string?)await WebDatabase.ScalarAsync(stack, $"SELECT Env FROM AgentConfigs WHERE Id = '{agentId}'");

        // Its app is gone from aegisd (removed by hand): aegisd answers the save with a 404.
        (await aegis.DeleteAsync($"/v1/apps/{appId}")).EnsureSuccessStatusCode();
        var (status, html) = await alice.PostFormPageAsync(page, "Settings", new()
        {
            ["Settings.Canvas"] = "false",
            ["Settings.Env"] = "NEW_KEY=typed-value",
            ["Settings.Remove"] = "OLD_KEY",
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Aegis did not take the settings", html, StringComparison.Ordinal);
        Assert.Contains("nothing was saved", html, StringComparison.Ordinal);
        Assert.Contains("NEW_KEY=typed-value", html, StringComparison.Ordinal);
        Assert.Equal(storedBefore, (string?)await WebDatabase.ScalarAsync(stack, $"SELECT Env FROM AgentConfigs WHERE Id = '{agentId}'"));
        Assert.Contains("OLD_KEY", await alice.GetStringAsync(page + "?settings=true"), StringComparison.Ordinal);

        await alice.PostFormAsync(page, "Delete");
    }

    [Fact]
    public async Task Creating_one_agent_more_than_the_kit_allows_a_group_is_refused_and_leaves_nothing_behind()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        var created = new List<string>();
        try
        {
            // However many the group has already, the kit's limit (5) is reached within six.
            for (var i = 0; i < 6; i++)
            {
                var name = $"Limit Echo {i}";
                var (status, html) = await alice.PostFormPageAsync("/g/feldmans/r/photos/new", "Create", new()
                {
                    ["NewAgent.Name"] = name,
                    ["NewAgent.Template"] = "echo",
                });
                if (status == HttpStatusCode.OK)
                {
                    Assert.Contains("as many agents as the Famiglia kit allows", html, StringComparison.Ordinal);
                    Assert.DoesNotContain("could not be set up completely", html, StringComparison.Ordinal);
                    Assert.Equal(0L, await WebDatabase.ScalarAsync(stack, $"SELECT COUNT(*) FROM AgentConfigs WHERE Name = '{name}'"));
                    Assert.Equal(0L, await WebDatabase.ScalarAsync(stack, $"SELECT COUNT(*) FROM RoomDocuments WHERE Title = '{name}'"));
                    Assert.Equal(0L, await WebDatabase.ScalarAsync(stack, $"SELECT COUNT(*) FROM ApiKeys k JOIN AgentConfigs a ON a.Id = k.AgentConfigId WHERE a.Name = '{name}'"));
                    Assert.False(await stack.Ejabberd.Admin.AccountExistsAsync($"s-limit-echo-{i}", stack.Ejabberd.Host));
                    return;
                }

                Assert.Equal(HttpStatusCode.Redirect, status);
                created.Add((string)(await WebDatabase.ScalarAsync(stack, $"SELECT Id FROM AgentConfigs WHERE Name = '{name}'"))!);
            }

            Assert.Fail("six agents were created in one group; the kit allows five");
        }
        finally
        {
            foreach (var agentId in created)
            {
                await alice.PostFormAsync($"/g/feldmans/r/photos/{agentId}", "Delete");
            }
        }
    }

    private static readonly string[] Kit = ["FAMIGLIA_API_KEY", "XMPP_USER", "XMPP_PASSWORD"];

    private static async Task<List<string>> SecretNamesAsync(HttpClient aegis, string appId, string[] except)
    {
        var app = await aegis.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}");
        return [.. app.GetProperty("secretNames").EnumerateArray().Select(n => n.GetString()!).Where(n => !except.Contains(n)).Order(StringComparer.Ordinal)];
    }

    private Task<AgentRow> AgentAsync(string agentId) => WebDatabase.AgentAsync(stack, agentId);
}
