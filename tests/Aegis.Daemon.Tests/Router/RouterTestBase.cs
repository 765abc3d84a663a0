using System.Net.Http.Json;
using System.Text.Json;
using Aegis.Daemon.Instances;
using Aegis.Daemon.Router;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.Daemon.Tests.Router;

/// <summary>Apps that run <see cref="EchoServer"/>, a client for the router (no token, no cookie jar) and ways to
/// wait for the daemon's own progress instead of for time.</summary>
public abstract class RouterTestBase : DaemonTestBase
{
    protected HttpClient Router { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Router = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = Daemon.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
    }

    public override async Task DisposeAsync()
    {
        Router.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>An app running <see cref="EchoServer"/>, served (the router wakes it) unless <paramref name="served"/> is false.</summary>
    protected async Task<string> CreateEchoAppAsync(string name, object? idle = null, bool served = true)
    {
        var response = await Api.PostAsJsonAsync("/v1/apps", new { kit = "testkit", name, config = new { command = EchoServer.Command, healthCheck = "tcp", idle } });
        response.EnsureSuccessStatusCode();
        var appId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString()!;
        await File.WriteAllTextAsync(Workspace(appId, "server.py"), EchoServer.Script);
        if (served)
        {
            (await Api.PostAsync($"/v1/apps/{appId}/serve", null)).EnsureSuccessStatusCode();
        }

        return appId;
    }

    protected string Workspace(string appId, string file) => Path.Combine(Daemon.DataDirectory, "apps", appId, "volume", "workspace", file);

    /// <summary>The app's instances, ended ones included.</summary>
    protected async Task<List<JsonElement>> InstancesAsync(string appId) =>
        (await GetJsonAsync($"/v1/instances?appId={appId}&all=true")).EnumerateArray().ToList();

    /// <summary>Until the router has finished with every request of the app: a request's end counts as activity, so the
    /// clock is moved only after it.</summary>
    protected async Task WaitUntilQuietAsync(string appId)
    {
        var routes = Daemon.Services.GetRequiredService<RouteTable>();
        await WaitUntilAsync(() => routes.Find(appId) is { OpenRequests: 0 }, $"{appId} to have no open request");
    }

    /// <summary>Until the idle timers have looked at every instance <paramref name="sweeps"/> more times.</summary>
    protected async Task WaitForIdleSweepsAsync(int sweeps)
    {
        var manager = Daemon.Services.GetRequiredService<InstanceManager>();
        var target = manager.IdleSweeps + sweeps;
        await WaitUntilAsync(() => manager.IdleSweeps >= target, "the idle timers to run");
    }

    protected static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
