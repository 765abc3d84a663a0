using System.Net;
using System.Text.RegularExpressions;
using Aegis.Sandbox;
using Aegis.Sandbox.Bubblewrap;
using Famiglia.Xmpp;
using Xunit.Abstractions;

namespace Famiglia.AgentSdk.TypeScript.Tests;

/// <summary>
/// TypeScript agents inside a real bwrap sandbox booting the agent-base image: Debian's node, the SDK the image
/// installs in /opt/famiglia/node_modules, the harness as entrypoint; ejabberd and famiglia-web reached only through the
/// kit's internal hosts, a person in the room over real XMPP.
/// </summary>
public sealed partial class TypeScriptAgentInSandboxTests(HarnessWorld world, AgentBaseImage image, ITestOutputHelper output)
    : IClassFixture<HarnessWorld>, IClassFixture<AgentBaseImage>, IAsyncLifetime
{
    private readonly TempDirectory _dir = TempDirectory.Create("ts-sandbox-");
    private readonly List<IAsyncDisposable> _disposables = [];
    private ISandbox? _sandbox;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_sandbox is not null)
        {
            output.WriteLine(File.Exists(_sandbox.LogPath) ? await File.ReadAllTextAsync(_sandbox.LogPath) : "(no log)");
            await _sandbox.TerminateAsync(TimeSpan.Zero);
        }

        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task The_images_typescript_photo_library_answers_draws_its_gallery_on_port_80_and_exits_zero_on_shutdown()
    {
        var (room, heard, events) = await JoinAsPersonAsync("jana");
        var (agent, sandbox) = await StartSandboxAsync("node /opt/famiglia/templates/photo-library-ts/dist/index.js");
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == agent.Nick);

        await room.SendAsync("Build me a photo library from all group photos", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Found 234 photos! Gallery is ready.", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);

        using var http = new HttpClient { BaseAddress = new Uri($"http://{sandbox.Endpoint}") };
        var html = await http.GetStringAsync("/");
        var sources = ImageSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(234, sources.Count);
        Assert.DoesNotContain(agent.ApiKey, html, StringComparison.Ordinal);
        using (var picture = await http.GetAsync("/" + sources[0]))
        {
            Assert.Equal(HttpStatusCode.OK, picture.StatusCode);
            Assert.Equal("image/png", picture.Content.Headers.ContentType!.MediaType);
        }

        var exit = await sandbox.TerminateAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(SandboxExitReason.Exited, exit.Reason);
        Assert.Equal(0, exit.ExitCode);
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantLeft && e.Nick == agent.Nick);
        var log = await File.ReadAllTextAsync(sandbox.LogPath);
        Assert.Contains("famiglia-agent: shutdown requested by the harness", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_commonjs_agent_in_the_workspace_requires_the_sdk_through_the_images_node_path()
    {
        Assert.Equal("/opt/famiglia/node_modules", image.Environment["NODE_PATH"]);
        Assert.True(File.Exists(Path.Combine(image.RootDirectory, "opt/famiglia/node_modules/@famiglia/agent-sdk/dist/index.d.ts")));
        var (room, heard, events) = await JoinAsPersonAsync("karl");
        var workspace = Directory.CreateDirectory(_dir.Combine("workspace")).FullName;
        await File.WriteAllTextAsync(Path.Combine(workspace, "agent.cjs"), """
            const { FamigliaAgent } = require('@famiglia/agent-sdk')
            const agent = new FamigliaAgent()
            agent.onMessage((msg) => msg.reply(`echo from ${process.version.split('.')[0]}: ${msg.body}`))
            agent.start()
            """);
        var (agent, _) = await StartSandboxAsync("node /workspace/agent.cjs");
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == agent.Nick);

        await room.SendAsync("ciao", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        // Debian bookworm's node, not the host's.
        Assert.Equal("echo from v18: ciao", reply.Body);
    }

    private async Task<(AgentIdentity Agent, ISandbox Sandbox)> StartSandboxAsync(string agentCommand)
    {
        var agent = await world.NewAgentAsync(ejabberdHost: "ejabberd", webHost: "famiglia-web");
        var backend = new BubblewrapBackend(new BubblewrapOptions
        {
            RuntimeDirectory = _dir.Combine("run"),
            LogDirectory = _dir.Combine("logs"),
        }, XunitLoggerFactory.Create(output));
        var workspace = Directory.CreateDirectory(_dir.Combine("workspace")).FullName;
        var env = new Dictionary<string, string>(agent.Environment) { ["AGENT_COMMAND"] = agentCommand, ["HEARTBEAT_SECONDS"] = "1" };
        var spec = new SandboxSpec("t" + Guid.NewGuid().ToString("N")[..12], "app-ts-agent", image.Entrypoint[0], workspace)
        {
            Arguments = [.. image.Entrypoint.Skip(1)],
            Image = new SandboxImage(image.RootDirectory) { Environment = image.Environment },
            Environment = env,
            InternalHosts =
            [
                new InternalHost("ejabberd", world.Ejabberd.HttpPort, new IPEndPoint(IPAddress.Loopback, world.Ejabberd.HttpPort)),
                new InternalHost("famiglia-web", world.Web.Port, new IPEndPoint(IPAddress.Loopback, world.Web.Port)),
            ],
        };
        _sandbox = await backend.StartAsync(spec);
        return (agent, _sandbox);
    }

    private async Task<(MucRoom Room, Probe<RoomMessage> Heard, Probe<MucRoomEvent> Events)> JoinAsPersonAsync(string name)
    {
        var user = $"{name}{Guid.NewGuid().ToString("N")[..6]}";
        var client = new XmppClient(await world.Ejabberd.CreateAccountAsync(user, webSocket: true));
        _disposables.Add(client);
        await client.ConnectAsync();
        var room = await client.JoinRoomAsync(world.Room, $"@u:{user}@{world.Ejabberd.Host}");
        var heard = new Probe<RoomMessage>();
        var events = new Probe<MucRoomEvent>();
        room.OnMessage(heard.Add);
        room.OnEvent(events.Add);
        return (room, heard, events);
    }

    [GeneratedRegex("<img[^>]* src=\"([^\"]+)\"")]
    private static partial Regex ImageSource();
}
