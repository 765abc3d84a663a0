using System.Diagnostics;
using System.Globalization;
using Famiglia.TestKit;
using Famiglia.Xmpp;

// famiglia-harness numbers (issue 7), harness + the C# Echo template as host processes (Release build) against a
// real ejabberd (fixture) and a real, seeded famiglia-web:
//   dotnet build -c Release Aegis.slnx && dotnet run -c Release --no-build --project bench/Famiglia.Harness.Bench -- [--starts 20] [--messages 200]
// 1. start → joined: process spawn to the harness's "joined" log line, p50/p90 over --starts runs;
// 2. idle RSS of harness + agent, 5 s after joining;
// 3. message → agent handler overhead: the round trip person → agent → person through harness + Echo, minus the
//    same round trip through a bare XMPP client that echoes in-process (both over the same ejabberd).
var starts = BenchArgs.Int(args, "--starts", 20);
var messages = BenchArgs.Int(args, "--messages", 200);
// FAMIGLIA_HARNESS / --agent choose other builds (e.g. NativeAOT executables) of the harness and the agent.
var agentIndex = Array.IndexOf(args, "--agent");
var echo = agentIndex >= 0 ? args[agentIndex + 1] : "dotnet " + ServiceProcess.BuiltDll("templates", "echo", "echo-agent");

await using var world = new HarnessWorld();
await world.InitializeAsync();
using var dirs = TempDirectory.Create("harness-bench");

async Task<(HarnessProcess Harness, AgentIdentity Agent)> StartAsync(int run)
{
    var agent = await world.NewAgentAsync();
    var env = new Dictionary<string, string>(agent.Environment)
    {
        ["HARNESS_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        ["CANVAS_DIR"] = Directory.CreateDirectory(dirs.Combine($"canvas{run}")).FullName,
        ["WORKSPACE_DIR"] = Directory.CreateDirectory(dirs.Combine($"workspace{run}")).FullName,
        ["AGENT_DIR"] = dirs.Combine("none"),
        ["AEGIS_CONTROL_SOCKET"] = dirs.Combine("none.sock"),
        ["AGENT_COMMAND"] = echo,
    };
    var harness = HarnessProcess.Start(env);
    await harness.Joined;
    return (harness, agent);
}

// 1. Start → joined.
var joinTimes = new List<double>();
for (var run = 0; run < starts; run++)
{
    var (harness, _) = await StartAsync(run);
    joinTimes.Add(harness.JoinedAfter!.Value.TotalMilliseconds);
    await harness.DisposeAsync();
}

Console.WriteLine($"start → joined over {starts} runs: p50 {Percentile(joinTimes, 50):0} ms, p90 {Percentile(joinTimes, 90):0} ms, min {joinTimes.Min():0} ms");

// 2. Idle RSS.
var (idle, identity) = await StartAsync(starts);
await Task.Delay(TimeSpan.FromSeconds(5));
var agentPid = ChildPids(idle.Pid).Single();
var harnessRss = RssKiB(idle.Pid);
var agentRss = RssKiB(agentPid);
Console.WriteLine($"idle RSS: harness {harnessRss / 1024.0:0.0} MiB + echo agent {agentRss / 1024.0:0.0} MiB = {(harnessRss + agentRss) / 1024.0:0.0} MiB");

// 3. Round trips.
var person = new XmppClient(await world.Ejabberd.CreateAccountAsync($"bench{Guid.NewGuid():N}"[..16], webSocket: true));
await person.ConnectAsync();
var room = await person.JoinRoomAsync(world.Room, "@u:bench@" + world.Ejabberd.Host);
var bot = new XmppClient(await world.Ejabberd.CreateAccountAsync($"bot{Guid.NewGuid():N}"[..16], webSocket: true));
await bot.ConnectAsync();
var botRoom = await bot.JoinRoomAsync(world.Room, "@s:rawbot@" + world.Ejabberd.Host);
botRoom.OnMessage(async m =>
{
    if (m.Thread == "rawbot" && m.Nick.StartsWith("@u:", StringComparison.Ordinal))
    {
        await botRoom.SendAsync("echo: " + m.Body, "rawbot");
    }
});

var replies = new Probe<RoomMessage>();
room.OnMessage(replies.Add);

async Task<List<double>> RoundTripsAsync(string thread, string nick)
{
    var times = new List<double>();
    for (var i = 0; i < messages; i++)
    {
        var clock = Stopwatch.StartNew();
        await room.SendAsync($"m{i}", thread);
        await replies.NextMatchingAsync(m => m.Nick == nick && m.Body == $"echo: m{i}");
        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    return times;
}

await RoundTripsAsync("rawbot", "@s:rawbot@" + world.Ejabberd.Host); // warm-up
var raw = await RoundTripsAsync("rawbot", "@s:rawbot@" + world.Ejabberd.Host);
var viaHarness = await RoundTripsAsync(identity.Thread, identity.Nick);
Console.WriteLine($"round trip over {messages} messages: bare XMPP echo p50 {Percentile(raw, 50):0.00} ms p99 {Percentile(raw, 99):0.00} ms; " +
    $"harness + Echo agent p50 {Percentile(viaHarness, 50):0.00} ms p99 {Percentile(viaHarness, 99):0.00} ms; " +
    $"overhead p50 {Percentile(viaHarness, 50) - Percentile(raw, 50):0.00} ms");

await person.DisposeAsync();
await bot.DisposeAsync();
await idle.DisposeAsync();

static double Percentile(List<double> values, int p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static long RssKiB(int pid) =>
    long.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

static IEnumerable<int> ChildPids(int pid) =>
    Directory.EnumerateDirectories($"/proc/{pid}/task")
        .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(p => int.Parse(p, CultureInfo.InvariantCulture));
