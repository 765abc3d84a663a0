using Aegis.Sandbox;
using Famiglia.Xmpp;
using Xunit.Abstractions;

namespace Famiglia.AgentSdk.TypeScript.Tests;

/// <summary>
/// TypeScript agents inside a real bwrap sandbox booting the agent-base image: Debian's node, the SDK the image
/// installs in /opt/famiglia/node_modules, the harness as entrypoint; ejabberd and famiglia-web reached only through the
/// kit's internal hosts, a person in the room over real XMPP.
/// </summary>
public sealed class TypeScriptAgentInSandboxTests(HarnessWorld world, AgentBaseImage image, ITestOutputHelper output)
    : IClassFixture<HarnessWorld>, IClassFixture<AgentBaseImage>, IAsyncLifetime
{
    private readonly HarnessSandbox _sandbox = new(world, image, XunitLoggerFactory.Create(output), output.WriteLine);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task The_images_typescript_photo_library_answers_draws_its_gallery_on_port_80_and_exits_zero_on_shutdown()
    {
        var (room, heard, events) = await _sandbox.JoinAsPersonAsync("jana");
        var (agent, sandbox) = await _sandbox.StartAsync("node /opt/famiglia/templates/photo-library-ts/dist/index.js");
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == agent.Nick);

        await room.SendAsync("Build me a photo library from all group photos", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        Assert.Equal("Found 234 photos! Gallery is ready.", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);

        await HarnessSandbox.AssertServesGalleryAsync(sandbox, agent);

        var exit = await sandbox.TerminateAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(SandboxExitReason.Exited, exit.Reason);
        Assert.Equal(0, exit.ExitCode);
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantLeft && e.Nick == agent.Nick);
        var log = await File.ReadAllTextAsync(sandbox.LogPath);
        Assert.Contains("famiglia-agent: shutdown requested by the harness", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_images_react_dashboard_serves_its_react_build_and_the_groups_data_on_port_80()
    {
        var (room, heard, events) = await _sandbox.JoinAsPersonAsync("mira");
        var (agent, sandbox) = await _sandbox.StartAsync("node /opt/famiglia/templates/react-dashboard/dist/index.js");
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == agent.Nick);

        await room.SendAsync("refresh please", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        var truth = await ReactDashboardCanvas.ReadDataApiAsync(world.Web.BaseAddress, agent);
        Assert.Equal(truth.Reply, reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);

        // What the image carries is what the sandbox's canvas serves: the Vite build and the agent's data.
        using var canvas = new HttpClient { BaseAddress = new Uri($"http://{sandbox.Endpoint}") };
        await ReactDashboardCanvas.AssertServesTheBuiltAppAsync(canvas, Path.Combine(image.RootDirectory, "opt/famiglia/templates/react-dashboard/dist/canvas"));
        using var dashboard = await ReactDashboardCanvas.AssertShowsAsync(canvas, truth);
    }

    [Fact]
    public async Task A_commonjs_agent_in_the_workspace_requires_the_sdk_through_the_images_node_path()
    {
        Assert.Equal("/opt/famiglia/node_modules", image.Environment["NODE_PATH"]);
        Assert.True(File.Exists(Path.Combine(image.RootDirectory, "opt/famiglia/node_modules/@famiglia/agent-sdk/dist/index.d.ts")));
        var (room, heard, events) = await _sandbox.JoinAsPersonAsync("karl");
        var workspace = _sandbox.WorkspaceDirectory();
        await File.WriteAllTextAsync(Path.Combine(workspace, "agent.cjs"), """
            const { FamigliaAgent } = require('@famiglia/agent-sdk')
            const agent = new FamigliaAgent()
            agent.onMessage((msg) => msg.reply(`echo from ${process.version.split('.')[0]}: ${msg.body}`))
            agent.start()
            """);
        var (agent, _) = await _sandbox.StartAsync("node /workspace/agent.cjs");
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == agent.Nick);

        await room.SendAsync("ciao", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == agent.Nick);
        // Debian bookworm's node, not the host's.
        Assert.Equal("echo from v18: ciao", reply.Body);
    }
}
