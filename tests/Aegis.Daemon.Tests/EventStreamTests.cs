using System.Net;
using System.Text.Json;

namespace Aegis.Daemon.Tests;

public class EventStreamTests : DaemonTestBase
{
    [Fact]
    public async Task The_stream_starts_before_there_is_an_event_to_send()
    {
        // A quiet aegisd: the headers must come at once, not with the first event (famiglia-web's HTTP client gave up
        // waiting for them after its 120 s timeout, and famiglia-web stopped). No event has an id this high.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // hang guard
        using var response = await Api.GetAsync("/v1/events?after=1000000000", HttpCompletionOption.ResponseHeadersRead, cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_event_carries_its_id_type_and_json_data()
    {
        var appId = await CreateAppAsync("evented", ["sleep", "60"], healthCheck: "process");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // hang guard
        using var response = await Api.GetAsync("/v1/events?after=0", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var fields = new Dictionary<string, string>();
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (fields.GetValueOrDefault("event") == "app.created")
                {
                    break;
                }

                fields.Clear();
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            fields[line[..colon]] = line[(colon + 1)..].TrimStart();
        }

        using var data = JsonDocument.Parse(fields["data"]);
        Assert.Equal("app.created", data.RootElement.GetProperty("type").GetString());
        Assert.Equal(appId, data.RootElement.GetProperty("appId").GetString());
        Assert.Equal(fields["id"], data.RootElement.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
