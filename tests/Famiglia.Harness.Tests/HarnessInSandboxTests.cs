using System.Net;
using System.Text.RegularExpressions;
using Aegis.Sandbox;
using Aegis.Sandbox.Bubblewrap;
using Famiglia.Xmpp;
using Xunit.Abstractions;

namespace Famiglia.Harness.Tests;

/// <summary>
/// The harness as the sandbox's entrypoint: a real bwrap sandbox booting the agent-base image (NativeAOT harness and
/// Photo Library template), ejabberd and famiglia-web reached only through the kit's internal hosts, a person in the
/// room over real XMPP.
/// </summary>
public sealed partial class HarnessInSandboxTests(HarnessWorld world, AgentBaseImage image, ITestOutputHelper output)
    : IClassFixture<HarnessWorld>, IClassFixture<AgentBaseImage>, IAsyncLifetime
{
    private readonly TempDirectory _dir = TempDirectory.Create("harness-sandbox-");
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
    public async Task The_photo_library_answers_in_its_thread_serves_its_gallery_on_port_80_and_leaves_on_shutdown()
    {
        var (room, heard, events) = await JoinAsPersonAsync("hana");
        var (agent, sandbox) = await StartSandboxAsync("/opt/famiglia/templates/photo-library/photo-library-agent");
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == agent.Nick);

        await room.SendAsync("Build me a photo library from all group photos", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Found 234 photos! Gallery is ready.", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);

        // The canvas, served by the harness on the sandbox's port 80; its images come through the media proxy.
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

        using (var traversal = await http.GetAsync("/%2e%2e/%2e%2e/etc/passwd"))
        {
            Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);
        }

        // aegisd's terminate: shutdown over the control channel, the harness leaves the room and exits 0 by itself.
        var exit = await sandbox.TerminateAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(SandboxExitReason.Exited, exit.Reason);
        Assert.Equal(0, exit.ExitCode);
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantLeft && e.Nick == agent.Nick);
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
        var spec = new SandboxSpec("h" + Guid.NewGuid().ToString("N")[..12], "app-harness", image.Entrypoint[0], workspace)
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
        var person = await RoomPerson.JoinAsync(world.Ejabberd, world.Room, name);
        _disposables.Add(person);
        return (person.Room, person.Heard, person.Events);
    }

    [GeneratedRegex("<img[^>]* src=\"([^\"]+)\"")]
    private static partial Regex ImageSource();
}
