using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Famiglia.TestKit;

namespace Aegis.Daemon.Tests.Tracing;

/// <summary><c>Aegis:Tracing:Console</c>: aegisd as a real process prints its spans on stdout.</summary>
public sealed class TracingConsoleTests
{
    private const string Kit = """
        name: consolekit
        version: 1.0.0
        image:
          base: aegis/not-installed:latest
        networking:
          egress: deny
        resources:
          memory: 64mb
          cpu: 1
          disk: 1gb
        """;

    [Fact]
    public async Task With_the_console_exporter_aegisd_prints_its_spans_and_no_secret()
    {
        using var data = TempDirectory.Create("aegisd-trace-console");
        await using var daemon = await AegisDaemonProcess.StartAsync(data.Path, settings: ["--Aegis:Tracing:Console=true"]);
        // Without trace headers: in this test process the other tests' in-process daemons listen to HttpClient with
        // their samplers off, and a not-sampled parent would rightly keep this aegisd from recording the request.
        using var api = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = daemon.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new("Bearer", File.ReadAllText(Path.Combine(data.Path, "token")).Trim());
        var secret = "s3cret-" + Guid.NewGuid().ToString("N");
        (await api.PostAsJsonAsync("/v1/kits", new { manifest = Kit })).EnsureSuccessStatusCode();

        // No command and no installed image: the ensure fails before any sandbox, with the reason on its span.
        var created = await api.PostAsJsonAsync("/v1/apps", new { kit = "consolekit", name = "printed", config = new { }, secrets = new Dictionary<string, string> { ["CONSOLE_TOKEN"] = secret } });
        var appId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString()!;
        var ensured = await api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
        Assert.False(ensured.IsSuccessStatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!daemon.Output().Contains("aegis.ensure", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the ensure span on stdout:\n" + daemon.Output());
            await Task.Delay(50);
        }

        var output = daemon.Output();
        var spans = Regex.Matches(output, @"Activity\.DisplayName:\s+(\S+)").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("aegis.kit.validate_config", spans);
        Assert.Contains("aegis.ensure", spans);
        var ensure = output[output.IndexOf("Activity.DisplayName:        aegis.ensure", StringComparison.Ordinal)..];
        Assert.Matches($@"aegis\.app\.id:\s+{appId}", ensure);
        Assert.Matches(@"StatusCode:\s+Error", ensure);
        Assert.Contains("command", ensure, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
    }
}
