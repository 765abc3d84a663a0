using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Aegis.Sandbox;
using Aegis.Sandbox.Qemu;
using Famiglia.TestKit;
using Famiglia.Xmpp;

/// <summary>
/// boot → the harness joined the room (as a person in it sees), boot → the harness answers health, a message round
/// trip through harness + Echo, snapshot, and restore → the harness answers again and replies to a new message (its
/// XMPP connection died with the old VMM's relay, so this includes its reconnect).
/// </summary>
internal static class HarnessBench
{
    public static async Task RunAsync(QemuBackend backend, QemuOptions options, int runs, long guestMiB, Action<string, double> record)
    {
        await using var world = new HarnessWorld();
        await world.InitializeAsync();
        var imageJson = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(options.ImageDirectory, "image.json"))).RootElement;
        var rootfs = imageJson.GetProperty("rootfs").GetString()!;
        var baseImage = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(rootfs)!, "image.json"))).RootElement;
        var environment = baseImage.GetProperty("env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var entrypoint = baseImage.GetProperty("entrypoint").EnumerateArray().Select(e => e.GetString()!).ToList();
        using var dirs = TempDirectory.Create("qemubench-harness");

        for (var run = 0; run < runs; run++)
        {
            await using var person = await RoomPerson.JoinAsync(world.Ejabberd, world.Room, $"bencher{run}");
            if (Environment.GetEnvironmentVariable("QEMUBENCH_TRACE") is not null)
            {
                person.Room.OnMessage(m =>
                {
                    Console.Error.WriteLine($"heard {m.Nick} [{m.Thread}] {m.Body}");
                    return Task.CompletedTask;
                });
            }

            var agent = await world.NewAgentAsync(ejabberdHost: "ejabberd", webHost: "famiglia-web");
            var workspace = Directory.CreateDirectory(dirs.Combine($"ws{run}")).FullName;
            var spec = new SandboxSpec($"harness-{run}", "bench", entrypoint[0], workspace)
            {
                Arguments = [.. entrypoint.Skip(1)],
                Image = new SandboxImage(rootfs) { Environment = environment },
                Environment = new Dictionary<string, string>(agent.Environment) { ["AGENT_COMMAND"] = "/opt/famiglia/templates/echo/echo-agent" },
                Resources = new SandboxResources(MemoryBytes: (guestMiB * 1024 * 1024) - options.GuestOverheadBytes),
                InternalHosts =
                [
                    new InternalHost("ejabberd", world.Ejabberd.HttpPort, new IPEndPoint(IPAddress.Loopback, world.Ejabberd.HttpPort)),
                    new InternalHost("famiglia-web", world.Web.Port, new IPEndPoint(IPAddress.Loopback, world.Web.Port)),
                ],
            };

            var clock = Stopwatch.StartNew();
            var sandbox = (QemuSandbox)await backend.StartAsync(spec);
            await person.Events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == agent.Nick);
            record("harness: boot → joined the room (ms)", clock.Elapsed.TotalMilliseconds);
            await WaitHealthyAsync(sandbox);
            record("harness: boot → answers health (ms)", clock.Elapsed.TotalMilliseconds);
            await WaitForLogAsync(sandbox, "agent ready");
            record("harness: boot → agent ready (ms)", clock.Elapsed.TotalMilliseconds);

            clock.Restart();
            await person.Room.SendAsync("ping " + run, agent.Thread);
            try
            {
                await person.Heard.NextMatchingAsync(m => m.Nick == agent.Nick);
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine(await File.ReadAllTextAsync(sandbox.LogPath));
                throw;
            }

            record("harness: message → Echo reply (ms)", clock.Elapsed.TotalMilliseconds);

            var snapshotDirectory = dirs.Combine($"snapshot{run}");
            clock.Restart();
            var snapshot = await sandbox.SnapshotAsync(snapshotDirectory);
            record("harness: snapshot (ms)", clock.Elapsed.TotalMilliseconds);
            record("harness: snapshot memory (MiB)", snapshot.MemoryBytes / 1048576.0);

            clock.Restart();
            var restored = await backend.RestoreAsync(spec, QemuSnapshot.Load(snapshotDirectory));
            record("harness: restore → running (ms)", clock.Elapsed.TotalMilliseconds);
            await WaitHealthyAsync(restored);
            record("harness: restore → answers health (ms)", clock.Elapsed.TotalMilliseconds);
            await person.Room.SendAsync("pong " + run, agent.Thread);
            await person.Heard.NextMatchingAsync(m => m.Nick == agent.Nick && m.Body.Contains("pong", StringComparison.Ordinal));
            record("harness: restore → reply to a new message (ms)", clock.Elapsed.TotalMilliseconds);

            await restored.TerminateAsync(TimeSpan.FromSeconds(5));
            Console.WriteLine($"harness run {run + 1}/{runs} done");
        }
    }

    private static async Task WaitForLogAsync(ISandbox sandbox, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!(File.Exists(sandbox.LogPath) && (await File.ReadAllTextAsync(sandbox.LogPath)).Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no '{text}' in the sandbox log");
            }

            await Task.Delay(10);
        }
    }

    private static async Task WaitHealthyAsync(ISandbox sandbox)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while ((await sandbox.QueryHealthAsync(TimeSpan.FromSeconds(2)))?.Ok != true)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the harness did not answer health");
            }

            await Task.Delay(10);
        }
    }
}
