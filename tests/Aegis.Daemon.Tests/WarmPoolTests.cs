using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Aegis.Daemon.Tests;

/// <summary>
/// The warm pool (Aegis:WarmPool): aegisd keeps sandboxes of a kit started ahead of demand; ensure claims one (the
/// instance gets the pooled sandbox's id) and specializes it with the app's env, workspace and release; the pool
/// refills in the background.
/// </summary>
public sealed class WarmPoolTests : DaemonTestBase
{
    protected override AegisDaemonFactory CreateDaemon() => new(settings: new Dictionary<string, string>
    {
        ["Aegis:WarmPool:testkit"] = "1",
    });

    [Fact]
    public async Task Ensure_claims_a_pooled_sandbox_specializes_it_and_the_pool_refills()
    {
        var pooled = await WaitForPoolAsync(except: null);
        var appId = await CreateAppAsync("pooled", ["/bin/sh", "-c", "echo \"$AEGIS_INSTANCE_ID|$API_TOKEN|$(cat /agent/index.js)\" > /workspace/seen; sleep 600"],
            secrets: new() { ["API_TOKEN"] = "tok 'quoted' $x" }, healthCheck: "process");
        (await Api.PostAsync($"/v1/apps/{appId}/releases", new ByteArrayContent(TarGz(("index.js", "release-one"))))).EnsureSuccessStatusCode();

        var instance = await EnsureAsync(appId);

        Assert.Equal(pooled, instance.GetProperty("instanceId").GetString());
        var seen = Path.Combine(Daemon.DataDirectory, "apps", appId, "volume", "workspace", "seen");
        await WaitUntilAsync(() => Task.FromResult(File.Exists(seen) && File.ReadAllText(seen).EndsWith('\n')), "the claimed sandbox to run the app's command");
        Assert.Equal($"{pooled}|tok 'quoted' $x|release-one\n", await File.ReadAllTextAsync(seen));

        // The pool refills with a new sandbox; the claimed one is an ordinary instance now.
        var next = await WaitForPoolAsync(except: pooled);
        Assert.NotEqual(pooled, next);
        Assert.False(File.Exists(Path.Combine(Daemon.DataDirectory, "pool", pooled)), "a claimed sandbox's pool marker goes");
        using var anonymous = Daemon.CreateClient();
        Assert.Matches(@"aegis_ensure_seconds_count\{[^}]*path=""pool""[^}]*\} [1-9]", await anonymous.GetStringAsync("/metrics"));
        var events = await ReadEventsAsync("from the warm pool");
        Assert.Contains("from the warm pool", events, StringComparison.Ordinal);

        // Terminate, and the next ensure claims the refilled sandbox.
        (await Api.PostAsync($"/v1/instances/{pooled}/terminate", null)).EnsureSuccessStatusCode();
        var again = await EnsureAsync(appId);
        Assert.Equal(next, again.GetProperty("instanceId").GetString());
    }

    [Fact]
    public async Task A_pooled_sandbox_that_dies_is_replaced_and_a_reinstalled_kit_renews_the_pool()
    {
        var pooled = await WaitForPoolAsync(except: null);
        using (var kill = System.Diagnostics.Process.Start("/bin/kill",
            ["-KILL", .. await File.ReadAllLinesAsync(Path.Combine("/sys/fs/cgroup/pids/aegis", pooled, "cgroup.procs"))]))
        {
            await kill.WaitForExitAsync();
        }

        var replacement = await WaitForPoolAsync(except: pooled);
        Assert.NotEqual(pooled, replacement);

        // A kit installed again (it may have changed) replaces what was pooled from it.
        (await Api.PostAsJsonAsync("/v1/kits", new { manifest = MinimalKit.Replace("memory: 128mb", "memory: 160mb", StringComparison.Ordinal) })).EnsureSuccessStatusCode();
        var renewed = await WaitForPoolAsync(except: replacement);
        Assert.Equal(160L * 1024 * 1024, long.Parse(await File.ReadAllTextAsync(Path.Combine("/sys/fs/cgroup/memory/aegis", renewed, "memory.limit_in_bytes"))));
    }

    /// <summary>Waits until exactly one sandbox is ready in the pool (GET /v1/pool) and it is not <paramref name="except"/>;
    /// returns its id.</summary>
    private async Task<string> WaitForPoolAsync(string? except)
    {
        string? found = null;
        await WaitUntilAsync(async () =>
        {
            var pool = Assert.Single((await GetJsonAsync("/v1/pool")).EnumerateArray());
            Assert.Equal("testkit", pool.GetProperty("kit").GetString());
            Assert.Equal(1, pool.GetProperty("size").GetInt32());
            var ready = pool.GetProperty("ready").EnumerateArray().Select(r => r.GetString()).ToList();
            found = ready.Count == 1 && ready[0] != except ? ready[0] : null;
            return found is not null;
        }, "the warm pool to hold a sandbox");

        // A marker names it on disk, for a restarted aegisd to clean up after a killed one.
        Assert.True(File.Exists(Path.Combine(Daemon.DataDirectory, "pool", found!)));
        return found!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}

/// <summary>Pooled sandboxes count against the host quotas: the pool fills only within them, and a boot the quotas
/// admit discards a pooled sandbox of another kit to make room rather than fail or overrun the host.</summary>
public sealed class WarmPoolQuotaTests : DaemonTestBase
{
    protected override AegisDaemonFactory CreateDaemon() => new(settings: new Dictionary<string, string>
    {
        ["Aegis:WarmPool:testkit"] = "1",
        ["Aegis:Quotas:MaxInstances"] = "2",
    });

    [Fact]
    public async Task The_pool_stays_within_the_quota_and_gives_way_to_a_boot()
    {
        (await Api.PostAsJsonAsync("/v1/kits", new { manifest = MinimalKit.Replace("name: testkit", "name: otherkit", StringComparison.Ordinal) })).EnsureSuccessStatusCode();
        var pooled = await ReadyAsync(count: 1);
        var first = await CreateAppAsync("first", ["sleep", "600"], healthCheck: "process");
        var other = await CreateAppAsync("other", ["sleep", "600"], healthCheck: "process", kit: "otherkit");

        Assert.Equal(pooled[0], (await EnsureAsync(first)).GetProperty("instanceId").GetString());
        var refilled = await ReadyAsync(count: 1); // one instance and one pooled sandbox: the quota's 2

        // otherkit has no pool: its boot fits the quota only without testkit's pooled sandbox, which goes.
        var booted = await EnsureAsync(other);
        Assert.NotEqual(refilled[0], booted.GetProperty("instanceId").GetString());
        Assert.Empty(await ReadyAsync(count: 0));
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // the pool loop had its chance to (wrongly) refill
        Assert.Empty(await ReadyAsync(count: 0));
        Assert.Empty(Directory.GetFiles(Path.Combine(Daemon.DataDirectory, "pool")));

        // Room again, and the pool fills.
        (await Api.PostAsync($"/v1/instances/{booted.GetProperty("instanceId").GetString()}/terminate", null)).EnsureSuccessStatusCode();
        Assert.Single(await ReadyAsync(count: 1));
    }

    private async Task<List<string>> ReadyAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var ready = Assert.Single((await GetJsonAsync("/v1/pool")).EnumerateArray()).GetProperty("ready").EnumerateArray().Select(r => r.GetString()!).ToList();
            if (ready.Count == count)
            {
                return ready;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the pool holds {ready.Count}, not {count}");
            await Task.Delay(50);
        }
    }
}

/// <summary>A pool size aegisd cannot use stops it at startup, naming the setting (the real process: a host that fails
/// to start inside WebApplicationFactory can hide its error behind a disposed service provider).</summary>
public sealed class WarmPoolConfigurationTests
{
    [Theory]
    [InlineData("--Aegis:WarmPool:famiglia=-1", "Aegis:WarmPool")]
    [InlineData("--Aegis:WarmPool:famiglia=1000", "Aegis:WarmPool")]
    [InlineData("--Aegis:WarmPoolRetry=-00:00:01", "Aegis:WarmPoolRetry")]
    public async Task A_bad_pool_setting_fails_startup_naming_it(string setting, string named)
    {
        using var data = Famiglia.TestKit.TempDirectory.Create("aegis-pool-config-");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Famiglia.TestKit.AegisDaemonProcess.StartAsync(data.Path, settings: [setting]));

        Assert.Contains("exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
