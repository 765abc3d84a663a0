using System.Net;
using System.Text.RegularExpressions;
using Aegis.Sandbox.Qemu;
using Famiglia.TestKit;
using Famiglia.Xmpp;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>
/// The harness as a qemu guest's command: the agent-base harness and Photo Library template on the microVM's disk,
/// ejabberd and famiglia-web reached only through internal hosts (guestfwd), a person in the room over real XMPP.
/// </summary>
public sealed partial class QemuHarnessTests(HarnessWorld world, QemuImage image, ITestOutputHelper output)
    : IClassFixture<HarnessWorld>, IClassFixture<QemuImage>, IAsyncLifetime
{
    private readonly TempDirectory _dir = TempDirectory.Create("harness-qemu-");
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
    public async Task The_harness_in_a_microVM_joins_the_room_answers_serves_its_canvas_survives_a_snapshot_and_leaves_on_shutdown()
    {
        var person = await RoomPerson.JoinAsync(world.Ejabberd, world.Room, "hana");
        _disposables.Add(person);
        var agent = await world.NewAgentAsync(ejabberdHost: "ejabberd", webHost: "famiglia-web");
        var (backend, spec, booted) = await StartAsync(agent, "/opt/famiglia/templates/photo-library/photo-library-agent");
        // Joined, and the agent ready: a message arriving in between is lost (a harness race, on bwrap too).
        await WaitUntilAsync(() => File.Exists(booted.LogPath) && File.ReadAllText(booted.LogPath).Contains($"joined {world.Room}", StringComparison.Ordinal));
        await WaitUntilAsync(() => File.ReadAllText(booted.LogPath).Contains("agent ready", StringComparison.Ordinal));

        await person.Room.SendAsync("Build me a photo library from all group photos", agent.Thread);
        var reply = await person.Heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Found 234 photos! Gallery is ready.", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);

        // The canvas, served by the harness on the guest's port 80, forwarded to the host's loopback.
        using (var http = new HttpClient { BaseAddress = new Uri($"http://{booted.Endpoint}"), Timeout = TimeSpan.FromSeconds(60) })
        {
            var html = await http.GetStringAsync("/");
            Assert.Equal(234, ImageSource().Matches(html).Count);
            Assert.DoesNotContain(agent.ApiKey, html, StringComparison.Ordinal);
        }

        Assert.True(booted.ControlConnected);

        // Terminate into a memory snapshot and restore: the harness process goes on, finds its XMPP connection gone
        // (it died with the old VMM's relay), reconnects, and answers the next message; the canvas is served again.
        var snapshot = await booted.SnapshotAsync(_dir.Combine("snapshot"));
        var sandbox = await backend.RestoreAsync(spec, snapshot);
        _sandbox = sandbox;
        await person.Room.SendAsync("Build me a photo library from all group photos", agent.Thread);
        var again = await person.Heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal(agent.Thread, again.Thread);
        await WaitUntilAsync(() => sandbox.ControlConnected);
        using (var http = new HttpClient { BaseAddress = new Uri($"http://{sandbox.Endpoint}"), Timeout = TimeSpan.FromSeconds(60) })
        {
            Assert.Equal(234, ImageSource().Matches(await http.GetStringAsync("/")).Count);
        }

        // Terminate: shutdown over the control channel (virtio-serial), the harness leaves the room and exits 0. The
        // harness takes 90 % of the grace to stop (its clean leave times out, on bwrap too); a generous grace leaves
        // the rest of the exit, slower under TCG, enough time.
        var exit = await sandbox.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SandboxExitReason.Exited, exit.Reason);
        Assert.Equal(0, exit.ExitCode);
        await person.Events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantLeft && e.Nick == agent.Nick);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }

    private async Task<(QemuBackend Backend, SandboxSpec Spec, QemuSandbox Sandbox)> StartAsync(AgentIdentity agent, string agentCommand)
    {
        var backend = new QemuBackend(new QemuOptions
        {
            ImageDirectory = image.Directory,
            RuntimeDirectory = _dir.Combine("run"),
            LogDirectory = _dir.Combine("logs"),
        }, XunitLoggerFactory.Create(output));
        var imageJson = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(image.AgentBaseRoot)!, "image.json")));
        var environment = imageJson.RootElement.GetProperty("env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var entrypoint = imageJson.RootElement.GetProperty("entrypoint").EnumerateArray().Select(e => e.GetString()!).ToList();
        var workspace = Directory.CreateDirectory(_dir.Combine("workspace")).FullName;
        var env = new Dictionary<string, string>(agent.Environment) { ["AGENT_COMMAND"] = agentCommand, ["HEARTBEAT_SECONDS"] = "1" };
        var spec = new SandboxSpec("h" + Guid.NewGuid().ToString("N")[..12], "app-harness", entrypoint[0], workspace)
        {
            Arguments = [.. entrypoint.Skip(1)],
            Image = new SandboxImage(image.AgentBaseRoot) { Environment = environment },
            Environment = env,
            InternalHosts =
            [
                new InternalHost("ejabberd", world.Ejabberd.HttpPort, new IPEndPoint(IPAddress.Loopback, world.Ejabberd.HttpPort)),
                new InternalHost("famiglia-web", world.Web.Port, new IPEndPoint(IPAddress.Loopback, world.Web.Port)),
            ],
        };
        var sandbox = (QemuSandbox)await backend.StartAsync(spec);
        _sandbox = sandbox;
        return (backend, spec, sandbox);
    }

    [GeneratedRegex("<img[^>]* src=\"([^\"]+)\"")]
    private static partial Regex ImageSource();
}
