using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Famiglia.TestKit;

namespace Famiglia.Xmpp.Bench;

/// <summary>
/// MUC round trip (A sends, B receives) and burst throughput through a real, private ejabberd, for our
/// client and, in the same run against the same server, for @xmpp/client (bench/xmpp-peer).
/// </summary>
internal static class MucLoad
{
    private const int WarmUp = 50;
    private const int WarmUpRounds = 2;
    private const int MaxWarmUpRounds = 8;
    private const int SettledJitMethods = 20;
    private const int WarmUpRoundTrips = 200;
    private static readonly TimeSpan SettleAfterWarmUp = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BurstTimeout = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(string[] args)
    {
        var latencyCount = BenchArgs.Int(args, "--latency", 2000);
        var burstCount = BenchArgs.Int(args, "--burst", 10_000);
        var warmupBurst = BenchArgs.Int(args, "--warmup-burst", 2_000);
        var withPeer = !args.Contains("--no-peer");
        // A list in run order: "websocket,tcp" shows what running first costs (the JIT), "tcp,tcp" a second, warmer run.
        var transports = BenchArgs.String(args, "--transport", "both").Replace("both", "tcp,websocket", StringComparison.Ordinal)
            .Split(',').Select(t => t == "websocket").ToArray();
        var archives = BenchArgs.String(args, "--archive", "both") switch
        {
            "on" => new[] { true },
            "off" => new[] { false },
            _ => new[] { false, true },
        };

        if (ClientScheduling.Parse(BenchArgs.String(args, "--clients-sched", "normal")) is not { } clientsSched)
        {
            Console.Error.WriteLine("--clients-sched must be normal or batch (the values of aegisd's Aegis:SandboxScheduling).");
            return 2;
        }

        // SCRAM-SHA-1 storage: the only SCRAM @xmpp/client speaks, so both clients authenticate alike.
        await using var ejabberd = await EjabberdFixture.StartNewAsync(scramHash: "sha");
        var server = ServerCpu.Find(ejabberd.NodeName);
        ClientScheduling.Apply(clientsSched);
        var results = new List<RunResult>();
        foreach (var archive in archives)
        {
            foreach (var webSocket in transports)
            {
                var scenario = new Scenario(webSocket, archive);
                results.Add(await RunOursAsync(ejabberd, server, scenario, latencyCount, burstCount, warmupBurst));
                if (withPeer)
                {
                    results.Add(await RunPeerAsync(ejabberd, server, scenario, latencyCount, burstCount, warmupBurst));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"MUC round trip and burst through ejabberd 23.01 on loopback; {Environment.ProcessorCount} cores; latency n={latencyCount}, burst={burstCount}, unmeasured warm-up burst={warmupBurst} per client and scenario; clients under {ClientScheduling.LinuxName(clientsSched)}, ejabberd under SCHED_OTHER");
        Console.WriteLine();
        Console.WriteLine("| client | transport | room archive | p50 ms | p99 ms | mean ms | max ms | burst received | burst msg/s | stalled | burst CPU µs/msg client / ejabberd |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Client} | {r.Scenario.Transport} | {(r.Scenario.Archive ? "on" : "off")} | {r.Latency.P50Ms:F3} | {r.Latency.P99Ms:F3} | {r.Latency.MeanMs:F3} | {r.Latency.MaxMs:F2} | {r.Burst.Received}/{r.Burst.Sent} | {r.Burst.PerSecond:F0} | {(r.Burst.Stalled ? "yes" : "no")} | {r.Burst.ClientCpuUsPerMessage:F0} / {r.Burst.ServerCpuUsPerMessage:F0} |"));
        }

        return results.Any(r => r.Burst.Stalled && r.Client.StartsWith("Famiglia", StringComparison.Ordinal)) ? 1 : 0;
    }

    private static async Task<RunResult> RunOursAsync(EjabberdFixture ejabberd, ServerCpu server, Scenario scenario, int latencyCount, int burstCount, int warmupBurst)
    {
        var room = await CreateRoomAsync(ejabberd, $"ours-{scenario.Name}", scenario.Archive);
        await using var a = new XmppClient(await ejabberd.CreateAccountAsync($"oa-{scenario.Name}", scenario.WebSocket));
        await using var b = new XmppClient(await ejabberd.CreateAccountAsync($"ob-{scenario.Name}", scenario.WebSocket));
        await a.ConnectAsync();
        await b.ConnectAsync();
        var roomA = await a.JoinRoomAsync(room, "a");
        var roomB = await b.JoinRoomAsync(room, "b");

        TaskCompletionSource<long>? waiting = null;
        var burstReceived = 0;
        var burstDone = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var warmupReceived = 0;
        var warmupTarget = 0;
        var warmupDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        roomB.OnMessage(message =>
        {
            var now = Stopwatch.GetTimestamp();
            if (message.Body.StartsWith("warmburst-", StringComparison.Ordinal))
            {
                if (++warmupReceived == Volatile.Read(ref warmupTarget))
                {
                    warmupDone.TrySetResult();
                }
            }
            else if (message.Body.StartsWith("burst-", StringComparison.Ordinal))
            {
                if (Interlocked.Increment(ref burstReceived) == burstCount)
                {
                    burstDone.TrySetResult(now);
                }
            }
            else
            {
                waiting?.TrySetResult(now);
            }

            return Task.CompletedTask;
        });

        // Unmeasured: both paths, at least twice, each time followed by a pause in which the JIT compiles in the
        // background what became hot, and again until a round and its pause compile fewer than SettledJitMethods
        // methods (tiered compilation otherwise recompiles hot methods during the measured phases: 0.4–1.0 s of JIT
        // inside the first measured burst of the process, and after two rounds still 350–440 methods, 0.4–0.5 s,
        // inside the measured burst of half the runs, bench/RESULTS.md).
        var jitMethodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        for (var round = 0; warmupBurst > 0 && round < MaxWarmUpRounds; round++)
        {
            var warmupCost = ProcessCost.Start();
            warmupDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref warmupTarget, (round + 1) * warmupBurst);
            for (var i = 0; i < warmupBurst; i++)
            {
                await roomA.SendAsync($"warmburst-{i}");
            }

            await warmupDone.Task.WaitAsync(BurstTimeout);
            for (var i = 0; i < WarmUpRoundTrips; i++)
            {
                waiting = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                await roomA.SendAsync($"warm-{i}");
                await waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }

            warmupCost.Report($"ours/{scenario.Name} warm-up round {round + 1}", warmupBurst + WarmUpRoundTrips);
            await Task.Delay(SettleAfterWarmUp);
            var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
            Console.Error.WriteLine($"ours/{scenario.Name} warm-up round {round + 1} and its pause: JIT compiled {jitMethods - jitMethodsBefore} methods");
            if (round + 1 >= WarmUpRounds && jitMethods - jitMethodsBefore < SettledJitMethods)
            {
                break;
            }

            jitMethodsBefore = jitMethods;
        }

        // Phase marks on stderr, for tools that attach to this process (perf, strace) per phase.
        Console.Error.WriteLine($"ours/{scenario.Name}: latency starts");
        var latencyCost = ProcessCost.Start();
        var samples = new List<double>(latencyCount);
        for (var i = 0; i < WarmUp + latencyCount; i++)
        {
            waiting = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var sentAt = Stopwatch.GetTimestamp();
            await roomA.SendAsync($"lat-{i}");
            var receivedAt = await waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
            if (i >= WarmUp)
            {
                samples.Add(Stopwatch.GetElapsedTime(sentAt, receivedAt).TotalMilliseconds);
            }
        }

        latencyCost.Report($"ours/{scenario.Name} latency", WarmUp + latencyCount);
        Console.Error.WriteLine($"ours/{scenario.Name}: burst starts");
        var burstCost = ProcessCost.Start();
        using var self = Process.GetCurrentProcess();
        var clientCpuBefore = self.TotalProcessorTime;
        var serverCpuBefore = server.Total();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < burstCount; i++)
        {
            await roomA.SendAsync($"burst-{i}");
        }

        Console.Error.WriteLine($"ours/{scenario.Name}: burst sent in {Stopwatch.GetElapsedTime(start).TotalSeconds:F3} s, {burstReceived} received by then");
        BurstResult burst;
        try
        {
            var end = await burstDone.Task.WaitAsync(BurstTimeout);
            var seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
            burst = new BurstResult(burstCount, burstCount, seconds, burstCount / seconds, false);
        }
        catch (TimeoutException)
        {
            burst = new BurstResult(burstCount, burstReceived, BurstTimeout.TotalSeconds, burstReceived / BurstTimeout.TotalSeconds, true);
        }

        burstCost.Report($"ours/{scenario.Name} burst", burstCount);
        self.Refresh();
        burst = burst with
        {
            ClientCpuUsPerMessage = (self.TotalProcessorTime - clientCpuBefore).TotalMicroseconds / burstCount,
            ServerCpuUsPerMessage = (server.Total() - serverCpuBefore).TotalMicroseconds / burstCount,
        };

        Console.Error.WriteLine($"ours/{scenario.Name}: done");
        return new RunResult("Famiglia.Xmpp", scenario, LatencyResult.From(samples), burst);
    }

    private static async Task<RunResult> RunPeerAsync(EjabberdFixture ejabberd, ServerCpu server, Scenario scenario, int latencyCount, int burstCount, int warmupBurst)
    {
        var transport = scenario.Name;
        var webSocket = scenario.WebSocket;
        var room = await CreateRoomAsync(ejabberd, $"peer-{scenario.Name}", scenario.Archive);
        var peerDir = RepositoryPaths.Combine("bench", "xmpp-peer");
        if (!Directory.Exists(Path.Combine(peerDir, "node_modules")))
        {
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], peerDir, null);
        }

        var passA = Guid.NewGuid().ToString("N");
        var passB = Guid.NewGuid().ToString("N");
        await ejabberd.Admin.RegisterAsync($"pa{transport}", ejabberd.Host, passA);
        await ejabberd.Admin.RegisterAsync($"pb{transport}", ejabberd.Host, passB);
        var service = webSocket ? ejabberd.WebSocketUri.ToString() : $"xmpp://127.0.0.1:{ejabberd.C2SPort}";
        var output = await RunAsync("node", [
            "bench.mjs", "--service", service, "--domain", ejabberd.Host, "--room", room.ToString(),
            "--user-a", $"pa{transport}", "--pass-a", passA, "--user-b", $"pb{transport}", "--pass-b", passB,
            "--latency", latencyCount.ToString(CultureInfo.InvariantCulture), "--burst", burstCount.ToString(CultureInfo.InvariantCulture),
            "--warmup-burst", warmupBurst.ToString(CultureInfo.InvariantCulture),
            "--timeout-seconds", ((int)BurstTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            .. server.Pid is { } pid ? new[] { "--server-pid", pid.ToString(CultureInfo.InvariantCulture) } : [],
        ], peerDir, ejabberd.CertificatePath);

        var json = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        var latency = json["latency"]!;
        var burst = json["burst"]!;
        return new RunResult(
            (string)json["client"]!,
            scenario,
            new LatencyResult((int)latency["count"]!, (double)latency["p50Ms"]!, (double)latency["p99Ms"]!, (double)latency["meanMs"]!, (double)latency["maxMs"]!),
            new BurstResult((int)burst["sent"]!, (int)burst["received"]!, (double)burst["seconds"]!, (double)burst["perSecond"]!, (bool)burst["stalled"]!)
            {
                ClientCpuUsPerMessage = (double)burst["cpuMs"]! * 1000 / burstCount,
                ServerCpuUsPerMessage = (double?)burst["serverCpuMs"] * 1000 / burstCount ?? double.NaN,
            });
    }

    private static async Task<string> RunAsync(string file, string[] arguments, string directory, string? extraCa)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (extraCa is not null)
        {
            info.Environment["NODE_EXTRA_CA_CERTS"] = extraCa;
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments.FirstOrDefault()} exited with {process.ExitCode}.");
        }

        return output;
    }

    internal static async Task<Jid> CreateRoomAsync(EjabberdFixture ejabberd, string name, bool archive)
    {
        await ejabberd.Admin.CreateRoomAsync(name, ejabberd.MucService, ejabberd.Host,
            new Dictionary<string, string> { ["persistent"] = "true", ["mam"] = archive ? "true" : "false" });
        return new Jid(name, ejabberd.MucService);
    }
}
