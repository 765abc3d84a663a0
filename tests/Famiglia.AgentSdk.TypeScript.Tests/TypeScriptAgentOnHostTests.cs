using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Famiglia.Xmpp;
using Xunit.Abstractions;

namespace Famiglia.AgentSdk.TypeScript.Tests;

/// <summary>TypeScript agents on the SDK under the real harness (a host process), against real ejabberd and a real,
/// seeded famiglia-web; a person in the room over real XMPP.</summary>
public sealed partial class TypeScriptAgentOnHostTests(HarnessWorld world, ITestOutputHelper output) : IClassFixture<HarnessWorld>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly List<TempDirectory> _directories = [];

    public Task InitializeAsync() => TypeScriptBuild.EnsureAsync();

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
    public async Task The_photo_library_answers_in_its_thread_after_drawing_a_gallery_whose_images_load_without_the_key()
    {
        var script = Path.Combine(TypeScriptBuild.Template("photo-library-ts"), "dist", "index.js");
        var (agent, port, _) = await StartHarnessAsync($"node {script}");
        var (room, heard) = await JoinAsPersonAsync("gina");

        await room.SendAsync("Build me a photo library from all group photos", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Found 234 photos! Gallery is ready.", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);

        // The canvas was bumped before the reply was sent: version 2 is there once the reply is.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using (var version = JsonDocument.Parse(await http.GetStringAsync("/_canvas/version")))
        {
            Assert.Equal(2, version.RootElement.GetProperty("version").GetInt64());
        }

        var html = await http.GetStringAsync("/index.html");
        Assert.DoesNotContain(agent.ApiKey, html, StringComparison.Ordinal);
        Assert.Contains("<h1>Photo Library (234 photos)</h1>", html, StringComparison.Ordinal);
        var sources = ImageSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(234, sources.Count);
        Assert.Equal(234, sources.Distinct().Count());
        Assert.All(sources, src => Assert.Matches("^_media/[^/]+$", src));
        // A sample from first to last: the media proxy spends the agent's Data API budget (100 requests a minute).
        foreach (var src in sources.Where((_, i) => i % 26 == 0).Append(sources[^1]))
        {
            using var image = await http.GetAsync("/" + src);
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
            Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await image.Content.ReadAsByteArrayAsync())[..4]);
        }
    }

    [Fact]
    public async Task The_photo_library_hints_in_its_tab_keeps_out_of_the_main_chat_and_answers_a_gallery_request_there()
    {
        var script = Path.Combine(TypeScriptBuild.Template("photo-library-ts"), "dist", "index.js");
        var (agent, _, _) = await StartHarnessAsync($"node {script}");
        var (room, heard) = await JoinAsPersonAsync("hugo");

        await room.SendAsync("good morning", agent.Thread);
        var hint = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Ask me to build a photo library from the group's photos.", hint.Body);
        Assert.Equal(agent.Thread, hint.Thread);

        // People talking in the main chat get no hint: the agent's next message is the answer to the request after it.
        await room.SendAsync("good morning everyone");
        await room.SendAsync("lovely photos from the beach!"); // about photos, but asks nothing of it
        await room.SendAsync("Could someone make a GALLERY?");
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Found 234 photos! Gallery is ready.", reply.Body);
        Assert.Null(reply.Thread);

        // That was the only gallery: the next thing it says is the answer to the next message.
        await room.SendAsync("thanks!", agent.Thread);
        Assert.Equal("Ask me to build a photo library from the group's photos.", (await heard.NextMatchingAsync(m => m.Nick == agent.Nick)).Body);
    }

    [Fact]
    public async Task The_react_dashboard_installs_its_vite_build_and_refreshes_the_groups_data_on_a_message_in_its_tab_or_one_naming_it()
    {
        var template = TypeScriptBuild.Template("react-dashboard");
        var (agent, port, _) = await StartHarnessAsync($"node {Path.Combine(template, "dist", "index.js")}");
        var (room, heard) = await JoinAsPersonAsync("lena");
        using var canvas = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await room.SendAsync("how are we doing?", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        var truth = await ReactDashboardCanvas.ReadDataApiAsync(world.Web.BaseAddress, agent);
        Assert.Equal(truth.Reply, reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);
        await ReactDashboardCanvas.AssertServesTheBuiltAppAsync(canvas, Path.Combine(template, "dist", "canvas"));
        using var first = await ReactDashboardCanvas.AssertShowsAsync(canvas, truth);
        var version = await ReactDashboardCanvas.VersionAsync(canvas);

        // The main chat is people talking: nothing for a message that does not name the dashboard, a refresh there for
        // one that does, bumping the canvas version that open tabs follow.
        await room.SendAsync("good morning everyone");
        await room.SendAsync("could someone refresh the Dashboard?");
        var again = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal(truth.Reply, again.Body);
        Assert.Null(again.Thread);
        Assert.True(await ReactDashboardCanvas.VersionAsync(canvas) > version, "the refresh did not bump the canvas version");
        using var second = await ReactDashboardCanvas.AssertShowsAsync(canvas, truth);
        Assert.True(second.RootElement.GetProperty("generatedAt").GetDateTimeOffset() > first.RootElement.GetProperty("generatedAt").GetDateTimeOffset(),
            "dashboard.json was not written again");
    }

    [Fact]
    public async Task The_echo_template_answers_through_the_sdk()
    {
        var script = Path.Combine(TypeScriptBuild.Template("echo-ts"), "dist", "index.js");
        var (agent, _, _) = await StartHarnessAsync($"node {script}");
        var (room, heard) = await JoinAsPersonAsync("fred");
        await room.SendAsync("ciao", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("echo: ciao", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);
    }

    [Fact]
    public async Task A_handler_that_throws_is_logged_and_the_agent_answers_the_next_message()
    {
        // NODE_PATH points at a node_modules holding the SDK, as /opt/famiglia/node_modules in the image does.
        var modules = TempDirectory.Create("ts-node-path-");
        _directories.Add(modules);
        Directory.CreateDirectory(modules.Combine("node_modules", "@famiglia"));
        File.CreateSymbolicLink(modules.Combine("node_modules", "@famiglia", "agent-sdk"), TypeScriptBuild.Sdk);
        var script = Path.Combine(AppContext.BaseDirectory, "agents", "throwing-agent.cjs");
        var (agent, _, _) = await StartHarnessAsync($"node {script}", new() { ["NODE_PATH"] = modules.Combine("node_modules") });
        var harness = (HarnessProcess)_disposables[0];
        var (room, heard) = await JoinAsPersonAsync("ivan");

        await room.SendAsync("throw", agent.Thread);
        await room.SendAsync("still there?", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("echo: still there?", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);

        var log = harness.Output();
        Assert.Contains("famiglia-agent: message handler failed for message", log, StringComparison.Ordinal);
        Assert.Contains("Error: thrown on purpose by the test agent", log, StringComparison.Ordinal);
        // The same process answered both: it never exited, and the harness never saw an error answer.
        Assert.DoesNotContain("agent exited with code", log, StringComparison.Ordinal);
        Assert.DoesNotContain("answered message request", log, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(log, "agent started: "));
    }

    private async Task<(AgentIdentity Agent, int Port, string Canvas)> StartHarnessAsync(string agentCommand, Dictionary<string, string>? extra = null)
    {
        var agent = await world.NewAgentAsync();
        var dir = TempDirectory.Create("ts-harness-");
        _directories.Add(dir);
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
            ["AGENT_COMMAND"] = agentCommand,
            ["HEARTBEAT_SECONDS"] = "1",
        };
        foreach (var (name, value) in extra ?? [])
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

        return (agent, port, canvas);
    }

    private async Task<(MucRoom Room, Probe<RoomMessage> Heard)> JoinAsPersonAsync(string name)
    {
        var user = $"{name}{Guid.NewGuid().ToString("N")[..6]}";
        var client = new XmppClient(await world.Ejabberd.CreateAccountAsync(user, webSocket: true));
        _disposables.Add(client);
        await client.ConnectAsync();
        var room = await client.JoinRoomAsync(world.Room, $"@u:{user}@{world.Ejabberd.Host}");
        var heard = new Probe<RoomMessage>();
        room.OnMessage(heard.Add);
        return (room, heard);
    }

    [GeneratedRegex("<img[^>]* src=\"([^\"]+)\"")]
    private static partial Regex ImageSource();
}
