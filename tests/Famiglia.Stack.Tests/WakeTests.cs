using System.Net.Http.Json;
using Famiglia.Xmpp;
using Xunit.Abstractions;

namespace Famiglia.Stack.Tests;

/// <summary>
/// An agent people only chat with, put to sleep by aegisd's idle timers (which see canvas requests, not chat), against the
/// real stack: what someone writes to it wakes it, and it answers, without anyone opening its tab.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class WakeTests(FamigliaStack stack, ITestOutputHelper output) : IAsyncLifetime
{
    private RoomPerson? _person;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        output.WriteLine("--- famiglia-web ---\n" + stack.Web.Output());
        if (_person is not null)
        {
            await _person.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_paused_or_terminated_agent_wakes_and_answers_when_someone_writes_to_it()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        using var aegis = stack.Aegis.CreateClient();
        var (agentId, page) = await alice.CreateAgentAsync("Wake Echo", "echo");
        var nick = $"@s:wake-echo@{stack.Ejabberd.Host}";
        try
        {
            var (person, thread) = await StartWithPersonAsync(alice, agentId, page, "wanda");

            // Paused as the idle timer pauses it; a message in its thread wakes it.
            await PauseAsync(aegis, agentId);
            await person.Room.SendAsync("are you awake?", thread);
            Assert.Equal(("echo: are you awake?", thread), await AnswerAsync(nick));
            await WebDatabase.WaitForStatusAsync(stack, agentId, "RUNNING");

            // Paused again; a message in the room's main chat wakes it too.
            await PauseAsync(aegis, agentId);
            await person.Room.SendAsync("main chat, anyone?");
            Assert.Equal(("echo: main chat, anyone?", (string?)null), await AnswerAsync(nick));

            // Terminated as the idle timer terminates a paused one (the person still wants it running): a message in
            // its thread boots it again, and the new run answers it.
            var instanceId = (await WebDatabase.AgentAsync(stack, agentId)).InstanceId!;
            (await aegis.PostAsync($"/v1/instances/{instanceId}/terminate", null)).EnsureSuccessStatusCode();
            await WebDatabase.WaitForStatusAsync(stack, agentId, "STOPPED");
            await person.Room.SendAsync("back after a terminate?", thread);
            Assert.Equal(("echo: back after a terminate?", thread), await AnswerAsync(nick));

            // And in the main chat: the new run answers what woke it (the person never stopped it: it only slept).
            instanceId = (await WebDatabase.AgentAsync(stack, agentId)).InstanceId!;
            (await aegis.PostAsync($"/v1/instances/{instanceId}/terminate", null)).EnsureSuccessStatusCode();
            await WebDatabase.WaitForStatusAsync(stack, agentId, "STOPPED");
            await person.Room.SendAsync("main chat after a terminate?");
            Assert.Equal(("echo: main chat after a terminate?", (string?)null), await AnswerAsync(nick));
            Assert.Contains("Agent Wake Echo woken: someone wrote to it", stack.Web.Output(), StringComparison.Ordinal);

            // Stopped by the person: what is written does not wake it.
            await alice.PostFormAsync(page, "Stop");
            await WebDatabase.WaitForStatusAsync(stack, agentId, "STOPPED");
            var (_, _, _, appId, _, _) = await WebDatabase.AgentAsync(stack, agentId);
            await person.Room.SendAsync("nobody home", thread);
            await person.Room.SendAsync("a marker after it"); // archived after the first: when this is stored, the first was looked at
            await WebDatabase.WaitUntilAsync(async () => (long)(await WebDatabase.ScalarAsync(stack, "SELECT COUNT(*) FROM Messages WHERE Body = 'a marker after it'"))! == 1, "the marker archived");
            var instances = await aegis.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/instances?appId={appId}");
            Assert.DoesNotContain(instances.EnumerateArray(), i => i.GetProperty("state").GetString() is "booting" or "running" or "paused");
        }
        finally
        {
            await alice.PostFormAsync(page, "Delete");
        }
    }

    [Fact]
    public async Task A_paused_agent_wakes_when_another_agent_mentions_it_and_answers_that_agent()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        using var aegis = stack.Aegis.CreateClient();
        var (agentId, page) = await alice.CreateAgentAsync("Mention Echo", "echo");
        var nick = $"@s:mention-echo@{stack.Ejabberd.Host}";
        try
        {
            await StartWithPersonAsync(alice, agentId, page, "mona");

            // Another agent in the room (an agent's nick, @s:…) hands it work while it sleeps.
            var user = "s-helper" + Guid.NewGuid().ToString("N")[..6];
            await using var helper = new XmppClient(await stack.Ejabberd.CreateAccountAsync(user, webSocket: true));
            await helper.ConnectAsync();
            var helperRoom = await helper.JoinRoomAsync(Photos, $"@s:{user[2..]}@{stack.Ejabberd.Host}");
            await PauseAsync(aegis, agentId);
            await helperRoom.SendAsync("@Mention Echo please repeat this");
            Assert.Equal(("echo: @Mention Echo please repeat this", (string?)null), await AnswerAsync(nick));
            // famiglia-web logs the wake once aegisd's resume returned, which can be after the answer.
            await WebDatabase.WaitUntilAsync(
                () => Task.FromResult(stack.Web.Output().Contains("Agent Mention Echo woken: someone wrote to it", StringComparison.Ordinal)), "the wake logged");
        }
        finally
        {
            await alice.PostFormAsync(page, "Delete");
        }
    }

    [Fact]
    public async Task A_message_written_as_aegisd_puts_the_agent_to_sleep_still_wakes_it()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        using var aegis = stack.Aegis.CreateClient();
        var (agentId, page) = await alice.CreateAgentAsync("Drowsy Echo", "echo");
        var nick = $"@s:drowsy-echo@{stack.Ejabberd.Host}";
        try
        {
            var (person, thread) = await StartWithPersonAsync(alice, agentId, page, "nora");

            // Written right after aegisd paused it, before famiglia-web heard of the pause: the message may find the agent
            // still RUNNING there. Its falling asleep then wakes it for what was just written.
            for (var round = 1; round <= 3; round++)
            {
                var instanceId = (await WebDatabase.AgentAsync(stack, agentId)).InstanceId!;
                (await aegis.PostAsync($"/v1/instances/{instanceId}/pause", null)).EnsureSuccessStatusCode();
                await person.Room.SendAsync($"still there? {round}", thread);
                Assert.Equal(($"echo: still there? {round}", thread), await AnswerAsync(nick));
                await WebDatabase.WaitForStatusAsync(stack, agentId, "RUNNING");
            }
        }
        finally
        {
            await alice.PostFormAsync(page, "Delete");
        }
    }

    private Jid Photos => new("photos.feldmans", stack.Ejabberd.MucService);

    /// <summary>A person joins #photos (left when the test ends), alice starts the agent; once it runs, the person
    /// and the agent's thread.</summary>
    private async Task<(RoomPerson Person, string Thread)> StartWithPersonAsync(WebSession alice, string agentId, string page, string name)
    {
        var person = _person = await RoomPerson.JoinAsync(stack.Ejabberd, Photos, name);
        await alice.PostFormAsync(page, "Start");
        await WebDatabase.WaitForStatusAsync(stack, agentId, "RUNNING");
        return (person, (await WebDatabase.AgentAsync(stack, agentId)).Thread);
    }

    private async Task PauseAsync(HttpClient aegis, string agentId)
    {
        var instanceId = (await WebDatabase.AgentAsync(stack, agentId)).InstanceId!;
        (await aegis.PostAsync($"/v1/instances/{instanceId}/pause", null)).EnsureSuccessStatusCode();
        await WebDatabase.WaitForStatusAsync(stack, agentId, "PAUSED");
    }

    private async Task<(string Body, string? Thread)> AnswerAsync(string nick)
    {
        var answer = await _person!.Heard.NextMatchingAsync(m => m.Nick == nick);
        return (answer.Body, answer.Thread);
    }
}
