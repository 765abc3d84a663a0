using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Aegis.Daemon.Tests.Router;

public class WakeTimeoutTests : RouterTestBase
{
    protected override AegisDaemonFactory CreateDaemon() => new(settings: new Dictionary<string, string>
    {
        ["Aegis:Router:WakeTimeout"] = "00:00:00.200",
        ["Aegis:BootTimeout"] = "00:00:05",
    });

    [Fact]
    public async Task A_wake_that_does_not_finish_in_time_is_a_503_with_retry_after()
    {
        // Never listens on port 80, so it cannot become healthy within the wake timeout, however fast the machine.
        var appId = await CreateAppAsync("mute", ["sleep", "600"]);

        var response = await Router.GetAsync($"/agent/{appId}/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Wake timed out", problem.GetProperty("title").GetString());
    }
}
