using System.Net;
using System.Text.RegularExpressions;
using Aegis.Sandbox;
using Aegis.Sandbox.Bubblewrap;
using Famiglia.Xmpp;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Famiglia.TestKit;

/// <summary>
/// An agent in a real bwrap sandbox booting the agent-base image with the harness as entrypoint, as aegisd would start
/// it: ejabberd and famiglia-web of a <see cref="HarnessWorld"/> reached only through the kit's internal hosts; people in
/// the room over real XMPP. Disposing terminates the sandbox (its log goes to <paramref name="log"/> first) and leaves
/// the room.
/// </summary>
public sealed partial class HarnessSandbox(HarnessWorld world, AgentBaseImage image, ILoggerFactory loggers, Action<string> log) : IAsyncDisposable
{
    private readonly TempDirectory _dir = TempDirectory.Create("harness-sandbox-");
    private readonly List<IAsyncDisposable> _people = [];
    private ISandbox? _sandbox;

    /// <summary>Starts the sandbox for a new agent of the world whose harness runs <paramref name="agentCommand"/>.</summary>
    public async Task<(AgentIdentity Agent, ISandbox Sandbox)> StartAsync(string agentCommand)
    {
        var agent = await world.NewAgentAsync(ejabberdHost: "ejabberd", webHost: "famiglia-web");
        var backend = new BubblewrapBackend(new BubblewrapOptions
        {
            RuntimeDirectory = _dir.Combine("run"),
            LogDirectory = _dir.Combine("logs"),
        }, loggers);
        var env = new Dictionary<string, string>(agent.Environment) { ["AGENT_COMMAND"] = agentCommand, ["HEARTBEAT_SECONDS"] = "1" };
        var spec = new SandboxSpec("h" + Guid.NewGuid().ToString("N")[..12], "app-harness", image.Entrypoint[0], WorkspaceDirectory())
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

    /// <summary>The host directory that becomes the sandbox's /workspace (created on first use).</summary>
    public string WorkspaceDirectory() => Directory.CreateDirectory(_dir.Combine("workspace")).FullName;

    /// <summary>A person in the world's room, who hears its messages and events.</summary>
    public async Task<(MucRoom Room, Probe<RoomMessage> Heard, Probe<MucRoomEvent> Events)> JoinAsPersonAsync(string name)
    {
        var person = await RoomPerson.JoinAsync(world.Ejabberd, world.Room, name);
        _people.Add(person);
        return (person.Room, person.Heard, person.Events);
    }

    /// <summary>The Photo Library's gallery on the sandbox's port 80: all 234 demo photos, each a PNG through the
    /// harness's media proxy, and no API key in the page.</summary>
    public static async Task AssertServesGalleryAsync(ISandbox sandbox, AgentIdentity agent)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{sandbox.Endpoint}") };
        var html = await http.GetStringAsync("/");
        var sources = ImageSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(234, sources.Count);
        Assert.DoesNotContain(agent.ApiKey, html, StringComparison.Ordinal);
        using var picture = await http.GetAsync("/" + sources[0]);
        Assert.Equal(HttpStatusCode.OK, picture.StatusCode);
        Assert.Equal("image/png", picture.Content.Headers.ContentType!.MediaType);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sandbox is not null)
        {
            log(File.Exists(_sandbox.LogPath) ? await File.ReadAllTextAsync(_sandbox.LogPath) : "(no log)");
            await _sandbox.TerminateAsync(TimeSpan.Zero);
        }

        foreach (var person in _people)
        {
            await person.DisposeAsync();
        }

        _dir.Dispose();
    }

    [GeneratedRegex("<img[^>]* src=\"([^\"]+)\"")]
    private static partial Regex ImageSource();
}
