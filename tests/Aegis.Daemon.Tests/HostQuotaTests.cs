using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Aegis.Daemon.Tests;

/// <summary>Host quotas: a boot past Aegis:Quotas is refused with a 503 that names the limit, and fits again once an
/// instance is terminated.</summary>
public sealed class HostQuotaTests : DaemonTestBase
{
    protected override AegisDaemonFactory CreateDaemon() => new(settings: new Dictionary<string, string>
    {
        ["Aegis:Quotas:MaxInstances"] = "1",
    });

    [Fact]
    public async Task A_boot_past_the_host_quota_is_refused_naming_the_limit_and_fits_after_a_terminate()
    {
        var first = await CreateAppAsync("first", ["sleep", "60"], healthCheck: "process");
        var second = await CreateAppAsync("second", ["sleep", "60"], healthCheck: "process");
        var running = await EnsureAsync(first);

        using var refused = await Api.PostAsJsonAsync("/v1/instances/ensure", new { appId = second });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Host at capacity", problem.GetProperty("title").GetString());
        Assert.Contains("Aegis:Quotas:MaxInstances", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        (await Api.PostAsync($"/v1/instances/{running.GetProperty("instanceId").GetString()}/terminate", null)).EnsureSuccessStatusCode();
        var second1 = await EnsureAsync(second);
        Assert.Equal("running", second1.GetProperty("state").GetString());
    }
}

/// <summary>The memory quota: what live instances' kits reserve, paused ones included.</summary>
public sealed class HostMemoryQuotaTests : DaemonTestBase
{
    protected override AegisDaemonFactory CreateDaemon() => new(settings: new Dictionary<string, string>
    {
        ["Aegis:Quotas:MaxMemory"] = "200mb", // the test kit reserves 128mb per instance
    });

    [Fact]
    public async Task A_boot_that_would_reserve_more_memory_than_the_host_allows_is_refused()
    {
        var first = await CreateAppAsync("first", ["sleep", "60"], healthCheck: "process");
        var second = await CreateAppAsync("second", ["sleep", "60"], healthCheck: "process");
        var running = await EnsureAsync(first);
        (await Api.PostAsync($"/v1/instances/{running.GetProperty("instanceId").GetString()}/pause", null)).EnsureSuccessStatusCode();

        using var refused = await Api.PostAsJsonAsync("/v1/instances/ensure", new { appId = second });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("reserve 128 MiB", detail, StringComparison.Ordinal);
        Assert.Contains("Aegis:Quotas:MaxMemory", detail, StringComparison.Ordinal);
    }
}
