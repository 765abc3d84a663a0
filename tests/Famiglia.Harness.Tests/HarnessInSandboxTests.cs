using System.Net;
using Aegis.Sandbox;
using Famiglia.Xmpp;
using Xunit.Abstractions;

namespace Famiglia.Harness.Tests;

/// <summary>
/// The harness as the sandbox's entrypoint: a real bwrap sandbox booting the agent-base image (NativeAOT harness and
/// Photo Library template), ejabberd and famiglia-web reached only through the kit's internal hosts, a person in the
/// room over real XMPP.
/// </summary>
public sealed class HarnessInSandboxTests(HarnessWorld world, AgentBaseImage image, ITestOutputHelper output)
    : IClassFixture<HarnessWorld>, IClassFixture<AgentBaseImage>, IAsyncLifetime
{
    private readonly HarnessSandbox _sandbox = new(world, image, XunitLoggerFactory.Create(output), output.WriteLine);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task The_photo_library_answers_in_its_thread_serves_its_gallery_on_port_80_and_leaves_on_shutdown()
    {
        var (room, heard, events) = await _sandbox.JoinAsPersonAsync("hana");
        var (agent, sandbox) = await _sandbox.StartAsync("/opt/famiglia/templates/photo-library/photo-library-agent");
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == agent.Nick);

        await room.SendAsync("Build me a photo library from all group photos", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Found 234 photos! Gallery is ready.", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);

        // The canvas, served by the harness on the sandbox's port 80; its images come through the media proxy.
        await HarnessSandbox.AssertServesGalleryAsync(sandbox, agent);
        using (var http = new HttpClient { BaseAddress = new Uri($"http://{sandbox.Endpoint}") })
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
}
