using System.Net.Http.Json;
using System.Text.Json;

namespace Aegis.Daemon.Tests;

/// <summary>The <c>resources</c> of <c>GET /v1/instances</c> and <c>GET /v1/instances/{id}</c>: what a real sandbox uses.</summary>
public class InstanceResourcesTests : DaemonTestBase
{
    /// <summary>What the app's python keeps allocated (written, so every page is there); far more than the sandbox and
    /// an idle python use by themselves.</summary>
    private const long Held = 48L * 1024 * 1024;

    private static readonly string Holder = $$"""
        import time
        held = b"x" * {{Held}}
        total = 0
        for i in range(2_000_000):
            total += i
        with open("/workspace/holding", "w") as f:
            f.write(f"{len(held)} {total}\n")
        time.sleep(600)
        """;

    [Fact]
    public async Task A_live_instance_shows_the_memory_cpu_and_processes_its_sandbox_uses_with_its_limits_and_an_ended_one_null()
    {
        var appId = await CreateAppAsync("holder", ["python3", "-c", Holder], healthCheck: "process", served: false);
        var id = (await EnsureAsync(appId)).GetProperty("instanceId").GetString()!;
        await WorkspaceFileAsync(appId, "holding");

        var resources = (await GetJsonAsync($"/v1/instances/{id}")).GetProperty("resources");
        var listed = (await GetJsonAsync("/v1/instances")).EnumerateArray().Single(i => i.GetProperty("instanceId").GetString() == id);

        Assert.True(resources.GetProperty("memoryBytes").GetInt64() >= Held, resources.ToString());
        Assert.True(resources.GetProperty("memoryPeakBytes").GetInt64() >= Held, resources.ToString());
        Assert.True(resources.GetProperty("cpuSeconds").GetDouble() > 0, resources.ToString());
        Assert.True(resources.GetProperty("processes").GetInt32() >= 1, resources.ToString());

        // The test kit's limits: 128mb, 1 cpu; the pids limit is the sandbox default.
        Assert.Equal(128L * 1024 * 1024, resources.GetProperty("memoryLimitBytes").GetInt64());
        Assert.Equal(1m, resources.GetProperty("cpuLimitCores").GetDecimal());
        Assert.Equal(256, resources.GetProperty("processesLimit").GetInt32());
        Assert.True(listed.GetProperty("resources").GetProperty("memoryBytes").GetInt64() >= Held, listed.ToString());

        // Frozen, the sandbox still holds its memory.
        var paused = await (await Api.PostAsync($"/v1/instances/{id}/pause", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("paused", paused.GetProperty("state").GetString());
        Assert.True(paused.GetProperty("resources").GetProperty("memoryBytes").GetInt64() >= Held, paused.ToString());

        var terminated = await (await Api.PostAsync($"/v1/instances/{id}/terminate", null)).Content.ReadFromJsonAsync<JsonElement>();
        var ended = await GetJsonAsync($"/v1/instances/{id}");
        var endedListed = (await GetJsonAsync($"/v1/instances?appId={appId}&all=true")).EnumerateArray().Single(i => i.GetProperty("instanceId").GetString() == id);

        Assert.Equal("terminated", terminated.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, terminated.GetProperty("resources").ValueKind);
        Assert.Equal(JsonValueKind.Null, ended.GetProperty("resources").ValueKind);
        Assert.Equal(JsonValueKind.Null, endedListed.GetProperty("resources").ValueKind);
    }
}
