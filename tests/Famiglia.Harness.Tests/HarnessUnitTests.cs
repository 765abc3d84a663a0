using System.Text.Json.Nodes;

namespace Famiglia.Harness.Tests;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("dotnet /opt/a.dll", new[] { "dotnet", "/opt/a.dll" })]
    [InlineData("  node   'my agent.js'  ", new[] { "node", "my agent.js" })]
    [InlineData("sh -c \"echo \\\"hi\\\"\"", new[] { "sh", "-c", "echo \"hi\"" })]
    [InlineData("a\\ b c", new[] { "a b", "c" })]
    [InlineData("''", new[] { "" })]
    public void Splits_like_a_shell_without_expansion(string text, string[] expected) => Assert.Equal(expected, CommandLine.Split(text));

    [Theory]
    [InlineData("node 'unterminated")]
    [InlineData("   ")]
    public void Unbalanced_or_empty_gives_no_words(string text) => Assert.Empty(CommandLine.Split(text));
}

public sealed class CanvasStoreTests : IDisposable
{
    private readonly TempDirectory _dir = TempDirectory.Create("canvas-store-");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("./a")]
    [InlineData("_canvas/version")]
    [InlineData("_media/x")]
    public async Task Refuses_paths_that_are_not_plain_relative_paths_inside(string path)
    {
        var store = new CanvasStore(_dir.Combine("canvas"));
        await Assert.ThrowsAsync<CanvasPathException>(() => store.WriteAsync(path, "x"u8.ToArray(), CancellationToken.None));
        await Assert.ThrowsAsync<CanvasPathException>(() => store.ReadAsync(path, CancellationToken.None));
    }

    [Fact]
    public async Task Writes_through_a_link_that_leaves_the_canvas_are_refused()
    {
        var outside = Directory.CreateDirectory(_dir.Combine("outside")).FullName;
        var store = new CanvasStore(_dir.Combine("canvas"));
        Directory.CreateSymbolicLink(Path.Combine(store.Root, "out"), outside);
        await Assert.ThrowsAsync<CanvasPathException>(() => store.WriteAsync("out/x.html", "x"u8.ToArray(), CancellationToken.None));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Null(store.ResolveForServing("/out/x.html"));
    }

    [Fact]
    public async Task Writes_create_directories_and_serve_index_html_for_a_directory()
    {
        var store = new CanvasStore(_dir.Combine("canvas"));
        await store.WriteAsync("gallery/index.html", "<p>hi</p>"u8.ToArray(), CancellationToken.None);
        Assert.Equal("<p>hi</p>"u8.ToArray(), await store.ReadAsync("gallery/index.html", CancellationToken.None));
        Assert.EndsWith("gallery/index.html", store.ResolveForServing("/gallery/"));
        Assert.Null(store.ResolveForServing("/"));
        Assert.True(store.Delete("gallery/index.html"));
        Assert.False(store.Delete("gallery/index.html"));
        Assert.Empty(Directory.EnumerateFiles(store.Root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_write_bumps_the_version_once_writes_settle_unless_the_agent_bumps_first()
    {
        var store = new CanvasStore(_dir.Combine("canvas"), TimeProvider.System, TimeSpan.FromMilliseconds(20));
        var bumped = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = store.Subscribe(v => bumped.TrySetResult(v));
        store.Changed();
        store.Changed();
        Assert.Equal(2, await bumped.Task.WaitAsync(TimeSpan.FromSeconds(30)));

        // The agent bumps itself right after writing: no second bump for the same writes.
        store.Changed();
        Assert.Equal(3, store.BumpVersion());
        await Task.Delay(200);
        Assert.Equal(3, store.Version);
    }

    [Fact]
    public void Version_bumps_reach_subscribers_until_they_unsubscribe()
    {
        var store = new CanvasStore(_dir.Combine("canvas"));
        var seen = new List<long>();
        var subscription = store.Subscribe(seen.Add);
        Assert.Equal(2, store.BumpVersion());
        subscription.Dispose();
        store.BumpVersion();
        Assert.Equal([2], seen);
        Assert.Equal(3, store.Version);
    }
}

public sealed class AgentInboxTests
{
    private static InboxMessage Message(string id) => new(id, "@u:alice@h", id, null, DateTimeOffset.UnixEpoch, "r@c.h");

    [Fact]
    public async Task Unanswered_messages_go_back_to_the_front_in_order()
    {
        var inbox = new AgentInbox();
        foreach (var id in new[] { "a", "b", "c" })
        {
            inbox.Add(Message(id));
        }

        Assert.Equal("a", (await inbox.TakeAsync("1", CancellationToken.None)).Id);
        Assert.Equal("b", (await inbox.TakeAsync("2", CancellationToken.None)).Id);
        Assert.True(inbox.Complete("1"));
        inbox.Requeue();
        Assert.Equal(["b", "c"], [(await inbox.TakeAsync("3", CancellationToken.None)).Id, (await inbox.TakeAsync("4", CancellationToken.None)).Id]);
    }

    [Fact]
    public async Task A_message_that_never_gets_answered_is_dropped_after_three_deliveries()
    {
        var inbox = new AgentInbox(maxAttempts: 3);
        var dropped = new List<string>();
        inbox.Dropped += dropped.Add;
        inbox.Add(Message("poison"));
        for (var i = 0; i < 3; i++)
        {
            await inbox.TakeAsync($"{i}", CancellationToken.None);
            inbox.Requeue();
        }

        Assert.Equal(0, inbox.Waiting);
        Assert.Contains("poison", Assert.Single(dropped), StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_inbox_drops_the_oldest_and_says_so()
    {
        var inbox = new AgentInbox(capacity: 2);
        var dropped = new List<string>();
        inbox.Dropped += dropped.Add;
        inbox.Add(Message("1"));
        inbox.Add(Message("2"));
        inbox.Add(Message("3"));
        Assert.Equal(2, inbox.Waiting);
        Assert.Contains(" 1", Assert.Single(dropped), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finished_is_raised_once_per_message_when_answered_or_dropped_for_good()
    {
        var inbox = new AgentInbox(capacity: 2, maxAttempts: 1);
        var finished = new List<string>();
        inbox.Finished += m => finished.Add(m.Id);
        inbox.Add(Message("answered"));
        inbox.Add(Message("never answered"));
        await inbox.TakeAsync("1", CancellationToken.None);
        Assert.True(inbox.Complete("1"));
        Assert.False(inbox.Complete("1"));
        await inbox.TakeAsync("2", CancellationToken.None);
        inbox.Requeue(); // its one attempt is spent
        inbox.Add(Message("x"));
        inbox.Add(Message("y"));
        inbox.Add(Message("z")); // the inbox is full: x goes
        Assert.Equal(["answered", "never answered", "x"], finished);
    }
}

public sealed class RoomMarkTests : IDisposable
{
    private readonly TempDirectory _dir = TempDirectory.Create("room-mark-");

    public void Dispose() => _dir.Dispose();

    private string File => _dir.Combine(".cache", "last-room-message");

    private RoomMark Open() => new(File, Microsoft.Extensions.Logging.Abstractions.NullLogger<RoomMark>.Instance);

    [Fact]
    public void A_first_start_has_no_mark_and_every_message_is_new()
    {
        var mark = Open();
        Assert.Null(mark.CatchUpAfter);
        Assert.Equal(EarlierRun.Unseen, mark.Recall("1", fromArchive: true));
    }

    [Fact]
    public void With_nothing_unfinished_the_next_run_catches_up_after_the_last_message_seen()
    {
        var mark = Open();
        mark.Seen("1", handedToAgent: false);
        mark.Seen("2", handedToAgent: true);
        mark.Finished("2");
        mark.Seen("3", handedToAgent: false);

        var next = Open();
        Assert.Equal("3", next.CatchUpAfter);
        Assert.Equal(EarlierRun.Unseen, next.Recall("4", fromArchive: true));
    }

    [Fact]
    public void An_unfinished_message_is_caught_up_again_and_what_the_last_run_finished_is_not()
    {
        var mark = Open();
        mark.Seen("1", handedToAgent: false);
        mark.Seen("2", handedToAgent: true);  // taken by the agent, never answered
        mark.Seen("3", handedToAgent: false); // people talking
        mark.Seen("4", handedToAgent: true);  // answered
        mark.Finished("4");
        mark.Seen("5", handedToAgent: true);  // queued behind, never answered

        var next = Open();
        Assert.Equal("1", next.CatchUpAfter);
        Assert.Equal(
            [EarlierRun.Unfinished, EarlierRun.Done, EarlierRun.Done, EarlierRun.Unfinished, EarlierRun.Unseen],
            new[] { "2", "3", "4", "5", "6" }.Select(id => next.Recall(id, fromArchive: true)));

        // The new run hands 2 and 5 again; once both are answered, the run after it starts after the last seen.
        foreach (var (id, handed) in new[] { ("2", true), ("3", false), ("4", false), ("5", true), ("6", false) })
        {
            next.Seen(id, handed);
        }

        next.Finished("5");
        Assert.Equal("1", Open().CatchUpAfter);
        next.Finished("2");
        Assert.Equal("6", Open().CatchUpAfter);
    }

    [Fact]
    public void A_live_message_ends_the_replay_when_the_archive_no_longer_has_the_last_message_seen()
    {
        var mark = Open();
        mark.Seen("1", handedToAgent: true);
        mark.Seen("2", handedToAgent: false);

        var next = Open();
        Assert.Null(next.CatchUpAfter); // nothing settled before the unfinished first message
        Assert.Equal(EarlierRun.Unfinished, next.Recall("1", fromArchive: true));
        Assert.Equal(EarlierRun.Unseen, next.Recall("9", fromArchive: false));
        Assert.Equal(EarlierRun.Unseen, next.Recall("2", fromArchive: true));
    }

    [Fact]
    public void A_message_the_agent_was_given_in_three_runs_without_answering_is_given_up()
    {
        var mark = Open();
        mark.Seen("1", handedToAgent: true); // never answered, run after run
        mark.Seen("2", handedToAgent: true); // answered in the second run
        for (var run = 2; run <= RoomMark.MaxRuns; run++)
        {
            var next = Open();
            Assert.Equal(EarlierRun.Unfinished, next.Recall("1", fromArchive: true));
            next.Seen("1", handedToAgent: true);
            if (next.Recall("2", fromArchive: true) == EarlierRun.Unfinished)
            {
                next.Seen("2", handedToAgent: true);
                next.Finished("2");
            }
            else
            {
                next.Seen("2", handedToAgent: false);
            }
        }

        var last = Open();
        Assert.Null(last.CatchUpAfter);
        Assert.Equal(EarlierRun.Done, last.Recall("1", fromArchive: true));
        Assert.Equal(EarlierRun.Done, last.Recall("2", fromArchive: true));
        last.Seen("1", handedToAgent: false);
        last.Seen("2", handedToAgent: false);
        Assert.Equal("2", Open().CatchUpAfter);
    }

    [Fact]
    public void The_one_line_file_of_an_older_harness_is_a_settled_mark()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File)!);
        System.IO.File.WriteAllText(File, "1700000000000001\n");
        var mark = Open();
        Assert.Equal("1700000000000001", mark.CatchUpAfter);
        Assert.Equal(EarlierRun.Unseen, mark.Recall("1700000000000002", fromArchive: true));
    }
}

public sealed class MediaUrlRewriteTests
{
    [Fact]
    public void Data_api_media_urls_become_canvas_relative_and_nothing_else_changes()
    {
        var json = JsonNode.Parse("""
            {"data":[{"id":"p1","content":{"text":"/api/agent/media/not-a-url-field"},"media":[{"id":"m1","url":"/api/agent/media/m1"}]},
                     {"id":"p2","media":[],"linkUrl":"https://example.org","url":"https://example.org/x"}],"total":2}
            """);
        DataApiClient.RewriteMediaUrls(json);
        Assert.Equal("_media/m1", (string?)json!["data"]![0]!["media"]![0]!["url"]);
        Assert.Equal("/api/agent/media/not-a-url-field", (string?)json["data"]![0]!["content"]!["text"]);
        Assert.Equal("https://example.org/x", (string?)json["data"]![1]!["url"]);
    }
}

public sealed class HarnessSettingsTests
{
    private static Dictionary<string, string> Valid() => new()
    {
        ["XMPP_SERVICE"] = "ws://ejabberd:5280/ws",
        ["XMPP_USER"] = "s-photo-agent",
        ["XMPP_PASSWORD"] = "pw-secret-1",
        ["XMPP_DOMAIN"] = "dev1.localhost",
        ["XMPP_MUC_JID"] = "photos.feldmans@conference.dev1.localhost",
        ["XMPP_NICK"] = "@s:photo-agent@dev1.localhost",
        ["FAMIGLIA_GROUP_ID"] = "g1",
        ["FAMIGLIA_ROOM_ID"] = "r1",
        ["FAMIGLIA_API_URL"] = "http://famiglia-web:3000",
        ["FAMIGLIA_API_KEY"] = "fam_secret-2",
    };

    [Fact]
    public void A_complete_environment_gives_defaults_for_the_rest()
    {
        var settings = HarnessSettings.FromEnvironment(Valid());
        Assert.Equal(80, settings.Port);
        Assert.Equal("/canvas", settings.CanvasDirectory);
        Assert.Null(settings.Thread);
        Assert.Null(settings.AgentCommand);
        Assert.Equal("photos.feldmans", settings.RoomJid.Local);
        Assert.Equal(AgentMessageDelivery.Mentions, settings.DeliverAgentMessages);
        Assert.Null(settings.AgentName);
    }

    [Theory]
    [InlineData("mentions", "Mentions")]
    [InlineData("ALL", "All")]
    [InlineData("true", "All")]
    [InlineData("none", "None")]
    [InlineData("false", "None")]
    public void FAMIGLIA_DELIVER_AGENT_MESSAGES_is_mentions_all_or_none(string value, string expected)
    {
        var env = Valid();
        env["FAMIGLIA_DELIVER_AGENT_MESSAGES"] = value;
        env["FAMIGLIA_AGENT_NAME"] = "Photo Agent";
        var settings = HarnessSettings.FromEnvironment(env);
        Assert.Equal(expected, settings.DeliverAgentMessages.ToString());
        Assert.Equal("Photo Agent", settings.AgentName);
    }

    [Fact]
    public void Another_FAMIGLIA_DELIVER_AGENT_MESSAGES_is_refused_naming_it()
    {
        var env = Valid();
        env["FAMIGLIA_DELIVER_AGENT_MESSAGES"] = "sometimes";
        var error = Assert.Throws<HarnessConfigurationException>(() => HarnessSettings.FromEnvironment(env));
        Assert.Contains("FAMIGLIA_DELIVER_AGENT_MESSAGES 'sometimes' is not mentions, all or none", error.Message);
    }

    [Fact]
    public void AGENT_COMMAND_wins_then_a_published_agent_then_the_templates_default()
    {
        using var dir = TempDirectory.Create("agent-dir-");
        var env = Valid();
        env["AGENT_DIR"] = dir.Path;
        env["AGENT_DEFAULT_COMMAND"] = "/opt/famiglia/templates/echo/echo-agent";
        Assert.Equal(["/opt/famiglia/templates/echo/echo-agent"], AgentSupervisor.ResolveCommand(HarnessSettings.FromEnvironment(env)));

        File.WriteAllText(dir.Combine("run"), "#!/bin/sh\n");
        Assert.Equal([dir.Combine("run")], AgentSupervisor.ResolveCommand(HarnessSettings.FromEnvironment(env)));
        File.WriteAllText(dir.Combine("index.js"), "");
        Assert.Equal(["node", dir.Combine("index.js")], AgentSupervisor.ResolveCommand(HarnessSettings.FromEnvironment(env)));

        env["AGENT_COMMAND"] = "python3 'my agent.py'";
        Assert.Equal(["python3", "my agent.py"], AgentSupervisor.ResolveCommand(HarnessSettings.FromEnvironment(env)));

        env.Remove("AGENT_COMMAND");
        env.Remove("AGENT_DEFAULT_COMMAND");
        File.Delete(dir.Combine("run"));
        File.Delete(dir.Combine("index.js"));
        Assert.Null(AgentSupervisor.ResolveCommand(HarnessSettings.FromEnvironment(env)));
    }

    [Fact]
    public void Every_problem_is_named_and_no_secret_value_is_shown()
    {
        var env = Valid();
        env.Remove("XMPP_NICK");
        env["XMPP_USER"] = "Not Valid";
        env["FAMIGLIA_API_URL"] = "ftp://x";
        env["HARNESS_PORT"] = "99999";
        env["AGENT_COMMAND"] = "node 'broken";
        var error = Assert.Throws<HarnessConfigurationException>(() => HarnessSettings.FromEnvironment(env));
        Assert.Equal(5, error.Errors.Count);
        Assert.Contains("XMPP_NICK is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("HARNESS_PORT '99999'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-secret-1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("fam_secret-2", error.Message, StringComparison.Ordinal);
    }
}

public sealed class AgentMessageFilterTests
{
    private const string Person = "@u:alice@dev1.localhost";
    private const string Other = "@s:helper@dev1.localhost";
    private const string Self = "@s:photo-agent@dev1.localhost";
    private static readonly IReadOnlyList<string> Names = AgentMessageFilter.NamesOf(Self, "Photo Agent");

    [Fact]
    public void An_agent_answers_to_its_display_name_and_its_nicks_name() =>
        Assert.Equal(["Photo Agent", "photo-agent"], Names);

    [Theory]
    [InlineData("@Photo Agent, please build it", true)]
    [InlineData("thanks @photo agent", true)]
    [InlineData("@photo-agent: go", true)]
    [InlineData("(@Photo Agent)", true)]
    [InlineData("@Photo Agents are great", false)]
    [InlineData("@photo-agent-two go", false)]
    [InlineData("mail me@Photo Agent", false)]
    [InlineData("Photo Agent, please", false)]
    [InlineData("@", false)]
    [InlineData("", false)]
    public void A_mention_is_at_and_a_name_not_inside_a_longer_word(string body, bool mentioned) =>
        Assert.Equal(mentioned, Famiglia.Xmpp.MucMentions.Mentions(body, Names));

    [Fact]
    public void Mentions_delivers_agents_messages_that_mention_the_agent_and_every_persons()
    {
        var filter = new AgentMessageFilter(AgentMessageDelivery.Mentions, Names);
        Assert.True(filter.Observe(Person, "hello", null));
        Assert.False(filter.Observe(Other, "hello everyone", null));
        Assert.True(filter.Observe(Other, "@Photo Agent build a gallery", null));
    }

    [Fact]
    public void None_and_all_deliver_no_or_every_agents_message()
    {
        var none = new AgentMessageFilter(AgentMessageDelivery.None, Names);
        var all = new AgentMessageFilter(AgentMessageDelivery.All, Names);
        Assert.False(none.Observe(Other, "@Photo Agent build a gallery", null));
        Assert.True(all.Observe(Other, "hello everyone", null));
    }

    [Fact]
    public void After_ten_agents_messages_in_a_row_none_is_delivered_there_until_a_person_writes()
    {
        var filter = new AgentMessageFilter(AgentMessageDelivery.All, Names);
        var reached = new List<string?>();
        filter.ChainLimitReached += reached.Add;
        for (var i = 0; i < AgentMessageFilter.ChainLimit; i++)
        {
            // The agent's own messages count: two agents answering each other make the chain.
            Assert.True(filter.Observe(i % 2 == 0 ? Other : Self, $"message {i}", null));
        }

        Assert.False(filter.Observe(Other, "one too many", null));
        Assert.False(filter.Observe(Other, "and another", null));
        Assert.Equal([null], reached);

        // Another conversation has its own chain; a person's message starts this one again.
        Assert.True(filter.Observe(Other, "in a thread", "doc-1"));
        Assert.True(filter.Observe(Person, "stop it, you two", null));
        Assert.True(filter.Observe(Other, "sorry", null));
    }
}
