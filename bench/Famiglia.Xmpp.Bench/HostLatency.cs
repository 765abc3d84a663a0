using System.Diagnostics;
using System.Globalization;
using Famiglia.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Famiglia.Xmpp.Bench;

/// <summary>
/// What an XMPP burst read in a web server's process does to that server's HTTP latency — famiglia-web's shape: a
/// Kestrel server and, in the same process, one XmppClient per signed-in person in a room into which another process
/// (an agent) sends a burst. Measured with socket completions inline (the library's default: reads continue on the
/// runtime's socket event thread, which Kestrel's sockets share) and on the thread pool.
/// </summary>
/// <remarks>
/// The HTTP client is a child process (<c>host-probe</c>) sending one request after another on a kept-alive
/// connection, timestamping each with the monotonic clock that <see cref="Stopwatch"/> reads in every process on
/// Linux, so its samples are split into "idle" and "during the burst" by the times this process saw the burst start
/// and end. The sender is another child (<c>host-sender</c>).
/// </remarks>
internal static class HostLatency
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(string[] args)
    {
        var burst = BenchArgs.Int(args, "--burst", 10_000);
        var receivers = BenchArgs.Int(args, "--receivers", 3);
        var webSocket = BenchArgs.String(args, "--transport", "websocket") == "websocket";
        var archive = BenchArgs.String(args, "--archive", "off") == "on";
        var rounds = BenchArgs.Int(args, "--rounds", 2);
        var probeRate = BenchArgs.Int(args, "--probe-rate", 500);

        await using var ejabberd = await EjabberdFixture.StartNewAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var web = builder.Build();
        var served = 0L;
        web.MapGet("/ping", () => Results.Json(new Pong(Interlocked.Increment(ref served), DateTimeOffset.UtcNow), PongContext.Default.Pong));
        await web.StartAsync();
        var url = web.Urls.Single() + "/ping";

        var results = new List<(bool Inline, int Round, Phase Idle, Phase During, double BurstPerSecond)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var inline in new[] { true, false })
            {
                results.Add(await RunVariantAsync(ejabberd, url, inline, round, burst, receivers, webSocket, archive, probeRate));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"HTTP GET latency ({probeRate} requests/s, one after another) of a Kestrel server whose process reads an XMPP burst: {receivers} receivers ({(webSocket ? "websocket" : "tcp")}, room archive {(archive ? "on" : "off")}), burst {burst} from another process; {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| socket completions | round | idle: requests, p50 / p99 / max ms | during the burst: requests, p50 / p99 / max ms | burst msg/s |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(r.Inline ? "inline (default)" : "thread pool")} | {r.Round} | {r.Idle} | {r.During} | {r.BurstPerSecond:F0} |"));
        }

        return 0;
    }

    private static async Task<(bool, int, Phase, Phase, double)> RunVariantAsync(
        EjabberdFixture ejabberd, string url, bool inline, int round, int burst, int receiverCount, bool webSocket, bool archive, int probeRate)
    {
        var name = $"host-{(inline ? "inline" : "pool")}-{round}";
        var room = await MucLoad.CreateRoomAsync(ejabberd, name, archive);
        var counter = new Counter();
        var clients = new List<XmppClient>();
        try
        {
            for (var i = 0; i < receiverCount; i++)
            {
                var options = await ejabberd.CreateAccountAsync($"{name}-p{i}", webSocket) with { PreferInlineSocketCompletions = inline };
                var client = new XmppClient(options);
                clients.Add(client);
                await client.ConnectAsync();
                var joined = await client.JoinRoomAsync(room, $"person{i}");
                joined.OnMessage(_ =>
                {
                    counter.Received();
                    return Task.CompletedTask;
                });
            }

            var senderOptions = await ejabberd.CreateAccountAsync($"{name}-agent", webSocket);
            using var sender = Child("host-sender", new Dictionary<string, string>
            {
                ["BENCH_SERVICE"] = senderOptions.Service.ToString(),
                ["BENCH_DOMAIN"] = senderOptions.Domain,
                ["BENCH_USER"] = senderOptions.Username,
                ["BENCH_PASSWORD"] = senderOptions.Password,
                ["BENCH_CA"] = senderOptions.Tls.PinnedCertificatePath ?? "",
                ["BENCH_ROOM"] = room.ToString(),
            });
            await ExpectLineAsync(sender, "ready");

            // Unmeasured warm-up: the same burst once, so the JIT has compiled the receive path.
            await BurstAsync(sender, burst, counter.Expect(burst * receiverCount));
            await Task.Delay(1000);

            using var probe = Child("host-probe", new Dictionary<string, string> { ["BENCH_URL"] = url, ["BENCH_RATE"] = probeRate.ToString(CultureInfo.InvariantCulture) });
            await ExpectLineAsync(probe, "ready");
            await Task.Delay(2000);
            var start = Stopwatch.GetTimestamp();
            var end = await BurstAsync(sender, burst, counter.Expect(burst * receiverCount));
            await Task.Delay(500);
            await probe.StandardInput.WriteLineAsync("stop");
            await probe.StandardInput.FlushAsync();
            var samples = new List<(long At, double Ms)>();
            while (await probe.StandardOutput.ReadLineAsync() is { } line && line != "end")
            {
                var parts = line.Split(' ');
                samples.Add((long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture)));
            }

            await sender.StandardInput.WriteLineAsync("quit");
            await sender.StandardInput.FlushAsync();
            var idle = Phase.Of(samples.Where(s => s.At < start).Select(s => s.Ms));
            var during = Phase.Of(samples.Where(s => s.At >= start && s.At <= end).Select(s => s.Ms));
            var seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
            Console.Error.WriteLine($"{name}: burst {burst} in {seconds:F3} s; idle {idle}; during {during}");
            return (inline, round, idle, during, burst / seconds);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Tells the sender to send <paramref name="burst"/> messages; <paramref name="allReceived"/> completes
    /// (with the monotonic time) when every receiver has them all.</summary>
    private static Task<long> BurstAsync(Process sender, int burst, Task<long> allReceived)
    {
        sender.StandardInput.WriteLine($"burst {burst}");
        sender.StandardInput.Flush();
        return allReceived.WaitAsync(Timeout);
    }

    /// <summary>Messages received by all receivers together, and a wait for a number more of them.</summary>
    private sealed class Counter
    {
        private readonly Lock _gate = new();
        private long _received;
        private long _target = long.MaxValue;
        private TaskCompletionSource<long> _done = new();

        public Task<long> Expect(int more)
        {
            lock (_gate)
            {
                _target = _received + more;
                _done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                return _done.Task;
            }
        }

        public void Received()
        {
            lock (_gate)
            {
                if (++_received == _target)
                {
                    _done.TrySetResult(Stopwatch.GetTimestamp());
                }
            }
        }
    }

    private static Process Child(string mode, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (!Environment.ProcessPath!.EndsWith("Famiglia.Xmpp.Bench", StringComparison.Ordinal))
        {
            info.ArgumentList.Add(typeof(HostLatency).Assembly.Location);
        }

        info.ArgumentList.Add(mode);
        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info)!;
    }

    private static async Task ExpectLineAsync(Process child, string expected)
    {
        var line = await child.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
        if (line != expected)
        {
            throw new InvalidOperationException($"expected '{expected}' from the child, got '{line}'");
        }
    }

    /// <summary>The agent's side: joins, says ready, sends a burst per "burst N" line on stdin, one message after another.</summary>
    public static async Task<int> SenderAsync()
    {
        var options = new XmppClientOptions
        {
            Service = new Uri(Environment.GetEnvironmentVariable("BENCH_SERVICE")!),
            Domain = Environment.GetEnvironmentVariable("BENCH_DOMAIN")!,
            Username = Environment.GetEnvironmentVariable("BENCH_USER")!,
            Password = Environment.GetEnvironmentVariable("BENCH_PASSWORD")!,
            Tls = new XmppTlsOptions { Mode = XmppTlsMode.Required, PinnedCertificatePath = Environment.GetEnvironmentVariable("BENCH_CA") is { Length: > 0 } ca ? ca : null },
        };
        await using var client = new XmppClient(options);
        await client.ConnectAsync();
        var room = await client.JoinRoomAsync(Jid.Parse(Environment.GetEnvironmentVariable("BENCH_ROOM")!), "agent");
        Console.WriteLine("ready");
        while (Console.ReadLine() is { } line && line.StartsWith("burst ", StringComparison.Ordinal))
        {
            var count = int.Parse(line[6..], CultureInfo.InvariantCulture);
            for (var i = 0; i < count; i++)
            {
                await room.SendAsync($"burst-{i}");
            }
        }

        return 0;
    }

    /// <summary>People's browsers: a GET every 1/BENCH_RATE s (one at a time, on one kept-alive connection) until
    /// "stop" on stdin, then every request's start (monotonic ticks) and latency.</summary>
    public static async Task<int> ProbeAsync()
    {
        var interval = Stopwatch.Frequency / int.Parse(Environment.GetEnvironmentVariable("BENCH_RATE")!, CultureInfo.InvariantCulture);
        using var http = new HttpClient { BaseAddress = new Uri(Environment.GetEnvironmentVariable("BENCH_URL")!) };
        using var warm = await http.GetAsync("");
        warm.EnsureSuccessStatusCode();
        var stop = Task.Run(Console.ReadLine);
        var samples = new List<(long, double)>(1 << 16);
        Console.WriteLine("ready");
        var next = Stopwatch.GetTimestamp();
        while (!stop.IsCompleted)
        {
            next += interval;
            while (Stopwatch.GetTimestamp() < next)
            {
                Thread.Sleep(1);
            }

            var at = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync("");
            _ = await response.Content.ReadAsByteArrayAsync();
            samples.Add((at, Stopwatch.GetElapsedTime(at).TotalMilliseconds));
        }

        foreach (var (at, ms) in samples)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{at} {ms:F4}"));
        }

        Console.WriteLine("end");
        return 0;
    }

    internal sealed record Phase(int Requests, double P50, double P99, double Max)
    {
        public static Phase Of(IEnumerable<double> samples)
        {
            var sorted = samples.Order().ToList();
            return sorted.Count == 0
                ? new Phase(0, double.NaN, double.NaN, double.NaN)
                : new Phase(sorted.Count, At(sorted, 0.50), At(sorted, 0.99), sorted[^1]);
        }

        private static double At(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Requests}, {P50:F3} / {P99:F3} / {Max:F2}");
    }
}

internal sealed record Pong(long N, DateTimeOffset At);

[System.Text.Json.Serialization.JsonSerializable(typeof(Pong))]
internal sealed partial class PongContext : System.Text.Json.Serialization.JsonSerializerContext;
