using System.Net;
using System.Net.Sockets;
using Famiglia.TestKit;

namespace Famiglia.Web.Tests;

public class AegisEventsListenerTests
{
    [Fact]
    public async Task An_aegisd_that_never_answers_the_event_stream_does_not_stop_famiglia_web()
    {
        // An in-process stand-in for this one edge case: it accepts connections and never answers, so every request
        // for aegisd's event stream runs into the client's timeout. famiglia-web used to stop on that (an unhandled
        // exception in a background service stops the host).
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                accepted.Add(await silent.AcceptSocketAsync(stop.Token));
            }
        });

        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var web = await FamigliaWebProcess.StartSeededAsync(settings:
            ["--Famiglia:Aegis:Enabled=true", $"--Famiglia:Aegis:Url=http://127.0.0.1:{port}", "--Famiglia:Aegis:RequestTimeout=00:00:00.500"]);

        // Several timeouts later (each is followed by a retry after 0.5, 1, 2 s ...), it still serves.
        using var http = new HttpClient { BaseAddress = web.BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(30); // hang guard
        while (accepted.Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(accepted.Count >= 3, $"famiglia-web asked for the event stream {accepted.Count} times");
        Assert.False(web.HasExited, web.Output());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Contains("event stream is unavailable", web.Output(), StringComparison.Ordinal);

        await stop.CancelAsync();
        silent.Stop();
        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        accepted.ForEach(s => s.Dispose());
    }
}
