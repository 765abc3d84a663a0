using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Famiglia.Xmpp;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Famiglia.Harness.Tests;

/// <summary>The harness as a host process against real ejabberd and real famiglia-web, with a Python agent that speaks
/// the agent protocol directly. (The same harness inside a real sandbox: HarnessInSandboxTests.)</summary>
public sealed class HarnessOnHostTests(HarnessWorld world, ITestOutputHelper output) : IClassFixture<HarnessWorld>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly List<TempDirectory> _directories = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            if (_disposables[i] is HarnessProcess harness)
            {
                output.WriteLine(harness.Output());
            }

            await _disposables[i].DisposeAsync();
        }

        _directories.ForEach(d => d.Dispose());
    }

    [Fact]
    public async Task A_message_in_the_agents_thread_is_answered_in_that_thread_and_main_chat_in_main_chat()
    {
        var (agent, _, _) = await StartHarnessAsync();
        var (room, heard) = await JoinAsPersonAsync("alice");

        await room.SendAsync("hello", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("echo: hello", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);

        // Another document's thread is not for this agent; the main chat is.
        await room.SendAsync("not for you", "some-other-document");
        await room.SendAsync("hi everyone");
        reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("echo: hi everyone", reply.Body);
        Assert.Null(reply.Thread);
    }

    [Fact]
    public async Task An_agent_hears_another_agents_message_that_mentions_it_and_no_other()
    {
        await StartHarnessAsync(null, await world.NewAgentAsync(), null);
        var beta = await world.NewAgentAsync();
        await StartHarnessAsync(null, beta, null);
        var betaName = NameOf(beta);
        var (room, heard) = await JoinAsPersonAsync("carol");

        // Both echo the person; the other agent's echo mentions Beta, so Beta hears it and answers it. Beta's own echo
        // mentions only Beta, so the other agent does not hear it.
        await room.SendAsync($"@{betaName} hello");
        var answer = await heard.NextMatchingAsync(m => m.Nick == beta.Nick && m.Body.StartsWith("echo: echo: ", StringComparison.Ordinal));
        Assert.Equal($"echo: echo: @{betaName} hello", answer.Body);
        Assert.Null(answer.Thread);
    }

    [Fact]
    public async Task Agents_that_hear_every_agent_stop_answering_each_other_after_ten_messages_until_a_person_writes()
    {
        var all = new Dictionary<string, string> { ["FAMIGLIA_DELIVER_AGENT_MESSAGES"] = "all" };
        await StartHarnessAsync(null, await world.NewAgentAsync(), null, all);
        var first = _disposables.OfType<HarnessProcess>().Last();
        var beta = await world.NewAgentAsync();
        await StartHarnessAsync(null, beta, null, all);
        var second = _disposables.OfType<HarnessProcess>().Last();
        var (room, heard) = await JoinAsPersonAsync("dave");

        // Two echoes that hear each other would answer each other for ever.
        await room.SendAsync("ping");
        foreach (var harness in new[] { first, second })
        {
            for (var waited = 0; !harness.Output().Contains("agents' messages in a row in the main chat", StringComparison.Ordinal); waited++)
            {
                Assert.True(waited < 600, "the harness never stopped delivering agents' messages:\n" + harness.Output());
                await Task.Delay(100);
            }
        }

        // A person's message starts a new conversation: it is answered, and the agents hear each other again.
        await room.SendAsync("pong");
        await heard.NextMatchingAsync(m => m.Nick == beta.Nick && m.Body == "echo: pong");
        await heard.NextMatchingAsync(m => m.Nick == beta.Nick && m.Body == "echo: echo: pong");
    }

    private static string NameOf(AgentIdentity agent) => agent.Nick[3..agent.Nick.LastIndexOf('@')];

    [Fact]
    public async Task The_canvas_is_served_and_a_version_bump_arrives_over_the_websocket()
    {
        var (agent, port, _) = await StartHarnessAsync();
        var (room, heard) = await JoinAsPersonAsync("bob");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var events = new ClientWebSocket();
        await events.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/_canvas/events"), CancellationToken.None);
        Assert.Equal(1, await ReceiveVersionAsync(events));
        var placeholder = await http.GetStringAsync("/");
        Assert.Contains("Nothing on this canvas yet", placeholder, StringComparison.Ordinal);
        Assert.Contains("data-canvas-version=\"1\"", placeholder, StringComparison.Ordinal); // the version it was served at

        await room.SendAsync("canvas Hello from the agent", agent.Thread);
        Assert.Equal("canvas: 2", (await heard.NextMatchingAsync(m => m.Nick == agent.Nick)).Body);
        Assert.Equal(2, await ReceiveVersionAsync(events));

        using var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Equal("<h1>Hello from the agent</h1>", await page.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        // Readable by the canvas itself, whose sandboxed iframe has the origin "null" (fetch, module scripts).
        Assert.Equal("*", page.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var preflight = await http.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/data.json")
        {
            Headers = { { "Origin", "null" }, { "Access-Control-Request-Method", "GET" }, { "Access-Control-Request-Headers", "x-canvas" } },
        });
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("GET, HEAD", preflight.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("x-canvas", preflight.Headers.GetValues("Access-Control-Allow-Headers").Single());
        using var version = JsonDocument.Parse(await http.GetStringAsync("/_canvas/version"));
        Assert.Equal(2, version.RootElement.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task The_photo_library_template_hints_in_its_tab_and_keeps_out_of_the_main_chat_unless_asked_for_a_gallery()
    {
        var (agent, _, _) = await StartHarnessAsync("dotnet " + ServiceProcess.BuiltDll("templates", "photo-library", "photo-library-agent"));
        var (room, heard) = await JoinAsPersonAsync("gino");
        await room.SendAsync("what can you do?", agent.Thread);
        var hint = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Ask me to build a photo library from the group's photos.", hint.Body);
        Assert.Equal(agent.Thread, hint.Thread);

        // People talking in the main chat get no hint: the agent's next message is the answer to the request after it.
        await room.SendAsync("see you all at dinner");
        await room.SendAsync("lovely photos from the beach!"); // about photos, but asks nothing of it
        await room.SendAsync("could someone make a photo gallery?");
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Found 234 photos! Gallery is ready.", reply.Body);
        Assert.Null(reply.Thread);

        // That was the only gallery: the next thing it says is the answer to the next message.
        await room.SendAsync("thanks!", agent.Thread);
        Assert.Equal("Ask me to build a photo library from the group's photos.", (await heard.NextMatchingAsync(m => m.Nick == agent.Nick)).Body);
    }

    [Fact]
    public async Task Canvas_paths_that_leave_the_canvas_are_refused_over_http_and_from_the_agent()
    {
        var (agent, port, dirs) = await StartHarnessAsync();
        File.WriteAllText(Path.Combine(dirs.Canvas, "ok.txt"), "fine");
        File.CreateSymbolicLink(Path.Combine(dirs.Canvas, "etc"), "/etc");
        File.WriteAllText(Path.Combine(dirs.Workspace, "secret.txt"), "not for browsers");

        Assert.Equal("200 fine", await RawGetAsync(port, "/ok.txt"));
        foreach (var path in new[] { "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/etc/passwd", "/etc/", "/.hidden", "/nope.html" })
        {
            Assert.StartsWith("404", await RawGetAsync(port, path));
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var post = await http.PostAsync("/ok.txt", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);

        var (room, heard) = await JoinAsPersonAsync("carol");
        foreach (var escape in new[] { "../outside.txt", "/etc/passwd", "etc/evil.txt", "_canvas/version" })
        {
            await room.SendAsync("escape " + escape, agent.Thread);
            Assert.Equal("escape: -32003", (await heard.NextMatchingAsync(m => m.Nick == agent.Nick)).Body);
        }

        Assert.False(File.Exists(Path.Combine(dirs.Workspace, "outside.txt")));
        Assert.False(File.Exists("/etc/evil.txt"));
    }

    [Fact]
    public async Task A_crashed_or_killed_agent_is_restarted_and_the_messages_sent_meanwhile_are_answered()
    {
        var (agent, _, dirs) = await StartHarnessAsync();
        var (room, heard) = await JoinAsPersonAsync("dora");

        // The agent exits while handling this one, before answering: it is delivered again after the restart. (The
        // other one may be answered twice: the agent handles messages side by side, and one it answered but had not
        // yet reported done when it died is delivered again: at least once.)
        await room.SendAsync("die-once", agent.Thread);
        await room.SendAsync("sent while it was down", agent.Thread);
        var replies = new HashSet<string>();
        while (!replies.Contains("echo: die-once (after a restart)") || !replies.Contains("echo: sent while it was down"))
        {
            replies.Add((await heard.NextMatchingAsync(m => m.Nick == agent.Nick)).Body);
        }

        Assert.Equal(["echo: die-once (after a restart)", "echo: sent while it was down"], replies.Order());

        // Killed from outside (SIGKILL), and a message right away.
        var pid = int.Parse(File.ReadAllText(Path.Combine(dirs.Workspace, "agent.pid")), System.Globalization.CultureInfo.InvariantCulture);
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        // (Delivery is at least once: a message answered just before the kill may come again; skip those.)
        await room.SendAsync("are you back?", agent.Thread);
        await heard.NextMatchingAsync(m => m.Nick == agent.Nick && m.Body == "echo: are you back?");
        Assert.NotEqual(pid, int.Parse(File.ReadAllText(Path.Combine(dirs.Workspace, "agent.pid")), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Sigterm_leaves_the_room_where_others_see_it_and_exits_zero()
    {
        var person = await RoomPerson.JoinAsync(world.Ejabberd, world.Room, "emil");
        _disposables.Add(person);
        var left = person.Events;
        var (agent, _, _) = await StartHarnessAsync();
        await left.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == agent.Nick);

        var harness = (HarnessProcess)_disposables.Last();
        harness.Signal(15);
        Assert.Equal(0, await harness.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await left.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantLeft && e.Nick == agent.Nick);
        Assert.Contains("stopped in", harness.Output(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csharp_echo_template_answers_through_the_sdk()
    {
        var (agent, _, _) = await StartHarnessAsync("dotnet " + ServiceProcess.BuiltDll("templates", "echo", "echo-agent"));
        var (room, heard) = await JoinAsPersonAsync("fred");
        await room.SendAsync("ciao", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("echo: ciao", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);
    }

    [Fact]
    public async Task The_photo_library_template_builds_a_gallery_whose_images_load_without_the_key()
    {
        var (agent, port, _) = await StartHarnessAsync("dotnet " + ServiceProcess.BuiltDll("templates", "photo-library", "photo-library-agent"));
        var (room, heard) = await JoinAsPersonAsync("gina");
        await room.SendAsync("Build me a photo library from all group photos", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Found 234 photos! Gallery is ready.", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var html = await http.GetStringAsync("/index.html");
        Assert.DoesNotContain(agent.ApiKey, html, StringComparison.Ordinal);
        var sources = System.Text.RegularExpressions.Regex.Matches(html, "<img[^>]* src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(234, sources.Count);
        Assert.All(sources, src => Assert.StartsWith("_media/", src, StringComparison.Ordinal));
        foreach (var src in sources.Take(5).Concat(sources.Take(5)))
        {
            using var image = await http.GetAsync("/" + src);
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
            Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await image.Content.ReadAsByteArrayAsync())[..4]);
        }

        // Each image was fetched from the Data API once, however often the canvas shows it (the harness caches media).
        var first = sources[0]["_media/".Length..];
        Assert.Equal(1L, await AuditCountAsync($"/api/agent/media/{first}"));

        using var version = JsonDocument.Parse(await http.GetStringAsync("/_canvas/version"));
        Assert.Equal(2, version.RootElement.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task What_is_written_in_its_thread_while_it_is_stopped_or_not_yet_started_is_answered_when_it_starts()
    {
        // Not started yet: a person writes in its tab right after creating it.
        var agent = await world.NewAgentAsync();
        var dir = TempDirectory.Create("harness-");
        _directories.Add(dir);
        var (room, heard) = await JoinAsPersonAsync("nina");
        await room.SendAsync("are you there?", agent.Thread);
        var first = await StartHarnessAsync(null, agent, dir);
        var answer = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal(("echo: are you there?", agent.Thread), (answer.Body, answer.Thread));
        Assert.True(File.Exists(Path.Combine(first.Dirs.Workspace, ".cache", "last-room-message")));

        // Stopped: its thread is answered at the next start, the main chat of that time is not (people talking).
        var harness = _disposables.OfType<HarnessProcess>().Last();
        await harness.DisposeAsync();
        _disposables.Remove(harness);
        await room.SendAsync("people talking while it is stopped");
        await room.SendAsync("written while it was stopped", agent.Thread);
        await StartHarnessAsync(null, agent, dir);
        answer = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal(("echo: written while it was stopped", agent.Thread), (answer.Body, answer.Thread));

        // Nothing answered twice, nothing from before the stop again: the next answer is to the next message.
        await room.SendAsync("and now, live");
        answer = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal(("echo: and now, live", (string?)null), (answer.Body, answer.Thread));
    }

    [Fact]
    public async Task What_the_agent_had_not_finished_when_it_stopped_is_answered_at_the_next_start_and_nothing_twice()
    {
        var agent = await world.NewAgentAsync();
        var dir = TempDirectory.Create("harness-");
        _directories.Add(dir);
        var (_, _, dirs) = await StartHarnessAsync(null, agent, dir);
        var (room, heard) = await JoinAsPersonAsync("otto");

        // Taken by the agent and not finished when it stops (in the main chat, which is otherwise not caught up).
        await room.SendAsync("slow-once");
        await room.SendAsync("quick", agent.Thread);
        var answer = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal(("echo: quick", agent.Thread), (answer.Body, answer.Thread));
        Assert.True(File.Exists(Path.Combine(dirs.Workspace, "slow-once")));

        var harness = _disposables.OfType<HarnessProcess>().Last();
        await harness.DisposeAsync();
        _disposables.Remove(harness);
        await room.SendAsync("people talking while it is stopped");
        await StartHarnessAsync(null, agent, dir);

        // The unfinished one is answered; the answered one and the chatter are not (the next answer is to the next message).
        answer = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal(("echo: slow-once (after a restart)", (string?)null), (answer.Body, answer.Thread));
        await room.SendAsync("and now, live", agent.Thread);
        answer = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal(("echo: and now, live", agent.Thread), (answer.Body, answer.Thread));
    }

    [Fact]
    public async Task The_agent_stays_in_its_room_across_an_ejabberd_restart()
    {
        var (agent, _, _) = await StartHarnessAsync();
        await world.Ejabberd.RestartAsync();
        var (room, heard) = await JoinAsPersonAsync("ivo");
        await room.SendAsync("still there?", agent.Thread);
        Assert.Equal("echo: still there?", (await heard.NextMatchingAsync(m => m.Nick == agent.Nick)).Body);
    }

    [Fact]
    public async Task An_agent_in_a_crash_loop_is_reported_unhealthy_in_its_heartbeats()
    {
        // `false` exits at once, every time: five exits within two minutes are a crash loop.
        await StartHarnessAsync("false");
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!world.Web.Output().Contains("reports it is unhealthy: agent crash loop", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "famiglia-web never heard of the crash loop:\n" + world.Web.Output());
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Heartbeats_set_the_agents_last_heartbeat_in_famiglia_web()
    {
        var (agent, _, _) = await StartHarnessAsync();
        var database = Path.Combine(world.Web.DataDirectory, "famiglia.db");
        Assert.True(File.Exists(database), database);
        string? last = null;
        for (var i = 0; i < 300 && last is null; i++)
        {
            await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT LastHeartbeat FROM AgentConfigs WHERE Name = $name";
            command.Parameters.AddWithValue("$name", agent.Slug);
            last = await command.ExecuteScalarAsync() as string;
            if (last is null)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(last);
    }

    [Fact]
    public async Task A_missing_or_malformed_environment_fails_at_start_naming_each_variable_without_secrets()
    {
        var agent = await world.NewAgentAsync();
        var env = new Dictionary<string, string>(agent.Environment);
        env.Remove("XMPP_PASSWORD");
        env.Remove("XMPP_MUC_JID");
        env["XMPP_SERVICE"] = "http://not-xmpp";
        await using var harness = HarnessProcess.Start(env);
        Assert.Equal(2, await harness.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var text = harness.Output();
        Assert.Contains("XMPP_PASSWORD is missing", text, StringComparison.Ordinal);
        Assert.Contains("XMPP_MUC_JID is missing", text, StringComparison.Ordinal);
        Assert.Contains("XMPP_SERVICE 'http://not-xmpp' is not an XMPP service", text, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.ApiKey, text, StringComparison.Ordinal);
    }

    private async Task<(AgentIdentity Agent, int Port, (string Canvas, string Workspace) Dirs)> StartHarnessAsync(string? agentCommand = null) =>
        await StartHarnessAsync(agentCommand, await world.NewAgentAsync(), null);

    /// <summary>A harness for <paramref name="agent"/>; in <paramref name="dir"/> when given (a restart keeps canvas and workspace).</summary>
    private async Task<(AgentIdentity Agent, int Port, (string Canvas, string Workspace) Dirs)> StartHarnessAsync(
        string? agentCommand, AgentIdentity agent, TempDirectory? dir, IReadOnlyDictionary<string, string>? moreEnv = null)
    {
        if (dir is null)
        {
            dir = TempDirectory.Create("harness-");
            _directories.Add(dir);
        }

        var canvas = Directory.CreateDirectory(dir.Combine("canvas")).FullName;
        var workspace = Directory.CreateDirectory(dir.Combine("workspace")).FullName;
        var port = FreePort.Next();
        var env = new Dictionary<string, string>(agent.Environment)
        {
            ["HARNESS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CANVAS_DIR"] = canvas,
            ["WORKSPACE_DIR"] = workspace,
            ["AGENT_DIR"] = dir.Combine("no-agent-dir"),
            ["AEGIS_CONTROL_SOCKET"] = dir.Combine("no-control.sock"),
            ["AGENT_COMMAND"] = agentCommand ?? "python3 " + Path.Combine(AppContext.BaseDirectory, "agents", "echo.py"),
            ["HEARTBEAT_SECONDS"] = "1",
        };
        foreach (var (name, value) in moreEnv ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }

        var harness = HarnessProcess.Start(env);
        _disposables.Add(harness);
        try
        {
            await harness.Joined;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("The harness did not join its room:\n" + harness.Output());
        }

        return (agent, port, (canvas, workspace));
    }

    private async Task<long> AuditCountAsync(string endpoint)
    {
        var database = Path.Combine(world.Web.DataDirectory, "famiglia.db");
        for (var attempt = 0; ; attempt++)
        {
            // The audit writer batches rows: wait until the row is there, then count.
            await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM AuditLogs WHERE Endpoint = $endpoint";
            command.Parameters.AddWithValue("$endpoint", endpoint);
            var count = (long)(await command.ExecuteScalarAsync())!;
            if (count > 0 || attempt > 100)
            {
                return count;
            }

            await Task.Delay(100);
        }
    }

    private async Task<(MucRoom Room, Probe<RoomMessage> Heard)> JoinAsPersonAsync(string name)
    {
        var person = await RoomPerson.JoinAsync(world.Ejabberd, world.Room, name);
        _disposables.Add(person);
        return (person.Room, person.Heard);
    }

    private static async Task<long> ReceiveVersionAsync(ClientWebSocket socket)
    {
        var buffer = new byte[256];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        using var json = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
        return json.RootElement.GetProperty("version").GetInt64();
    }

    /// <summary>A GET with the path exactly as given (HttpClient would normalise dot segments away).
    /// Returns "status body".</summary>
    private static async Task<string> RawGetAsync(int port, string path)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: canvas\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream);
        var response = await reader.ReadToEndAsync();
        var status = response.Split(' ', 3)[1];
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        return $"{status} {body}";
    }
}
