using System.Text.Json;
using Aegis.Core.Kits;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Kit.Tests;

/// <summary><c>on_publish</c> through the real runner, recorded by the real famiglia-web.</summary>
[Collection(KitWorldCollection.Name)]
public sealed class OnPublishHookTests(KitWorld world)
{
    private static readonly KitArtifact[] Artifacts =
    [
        new() { Path = "index.html", SizeBytes = 512, Sha256 = new string('a', 64) },
        new() { Path = "assets/app.js", SizeBytes = 2048, Sha256 = new string('b', 64) },
    ];

    [Fact]
    public async Task Publishing_an_agents_app_records_it_on_the_AgentConfig()
    {
        await world.Web.IssueApiKeyAsync("Publisher");
        var appId = await LinkAppAsync("Publisher");
        var before = await UpdatedAtAsync(appId);

        await world.Hooks.OnPublishAsync(Canvas(appId, "Publisher"), "3", Artifacts);

        Assert.True(await UpdatedAtAsync(appId) > before);
    }

    [Fact]
    public async Task Publishing_an_app_famiglia_web_does_not_know_fails_the_hook()
    {
        var failure = await Assert.ThrowsAsync<KitHookException>(() => world.Hooks.OnPublishAsync(Canvas("app_unknown0000000", "Ghost"), "1", Artifacts));

        Assert.Equal(KitHookFailure.NonZeroExit, failure.Failure);
        Assert.Contains("has no agent for Aegis app 'app_unknown0000000' (404", failure.Message);
    }

    [Fact]
    public async Task When_famiglia_web_is_down_publishing_fails_the_hook()
    {
        var hooks = await world.WriteKitAsync("kit-publish-down", new Uri($"http://127.0.0.1:{Famiglia.TestKit.FreePort.Next()}"), world.TokenFile);

        var failure = await Assert.ThrowsAsync<KitHookException>(() => hooks.OnPublishAsync(Canvas("app_whatever000000", "Down"), "1", Artifacts));

        Assert.Contains("is unreachable", failure.Message);
    }

    private static KitCanvas Canvas(string appId, string name) => new()
    {
        AppId = appId,
        Name = name,
        Config = JsonSerializer.SerializeToElement(new { name }),
    };

    /// <summary>What famiglia-web does once aegisd has created the agent's app: remember its id.</summary>
    private async Task<string> LinkAppAsync(string agent)
    {
        var appId = "app_" + Guid.NewGuid().ToString("N")[..16];
        await using var db = world.Db();
        var config = await db.AgentConfigs.SingleAsync(a => a.Name == agent);
        config.AegisAppId = appId;
        config.UpdatedAt = DateTime.UtcNow.AddMinutes(-5);
        await db.SaveChangesAsync();
        return appId;
    }

    private async Task<DateTime> UpdatedAtAsync(string appId)
    {
        await using var db = world.Db();
        return await db.AgentConfigs.Where(a => a.AegisAppId == appId).Select(a => a.UpdatedAt).SingleAsync();
    }
}
