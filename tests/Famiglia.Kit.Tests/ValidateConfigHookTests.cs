using System.Text.Json;
using Aegis.Core.Kits;
using Famiglia.TestKit;
using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Kit.Tests;

/// <summary><c>validate_config</c> through the real runner, asking the real famiglia-web.</summary>
[Collection(KitWorldCollection.Name)]
public sealed class ValidateConfigHookTests(KitWorld world)
{
    [Fact]
    public async Task A_fresh_name_and_slug_are_ok()
    {
        var verdict = await world.Hooks.ValidateConfigAsync(Json(world.Config("Fresh Agent", "s-fresh-agent")));

        Assert.True(verdict.Ok, string.Join("; ", verdict.Errors));
        Assert.Empty(verdict.Errors);
    }

    [Fact]
    public async Task A_bad_slug_and_an_unknown_template_are_rejected_naming_the_fields()
    {
        var verdict = await world.Hooks.ValidateConfigAsync(Json(world.Config("Slug Agent", "Slug_Agent", template: "wizard")));

        Assert.False(verdict.Ok);
        Assert.Equal(2, verdict.Errors.Count);
        Assert.StartsWith("slug 'Slug_Agent' is not an agent XMPP user", verdict.Errors[0]);
        Assert.Equal("template 'wizard' is unknown (known: echo, photo-library)", verdict.Errors[1]);
    }

    [Fact]
    public async Task A_name_another_agent_of_the_group_has_is_rejected_whatever_its_case()
    {
        await world.Web.IssueApiKeyAsync("Gallery Bot");

        var verdict = await world.Hooks.ValidateConfigAsync(Json(world.Config("gallery BOT", "s-other-gallery")));

        Assert.False(verdict.Ok);
        Assert.Equal(["name 'gallery BOT' is already the name of another agent in this group"], verdict.Errors);
    }

    [Fact]
    public async Task The_agent_being_validated_does_not_clash_with_itself()
    {
        // issue-api-key creates the AgentConfig named "Self Check" with XMPP user s-self-check, as famiglia-web does
        // before it registers the app.
        await world.Web.IssueApiKeyAsync("Self Check");
        Assert.Equal("s-self-check", await XmppUserOfAsync("Self Check"));

        var verdict = await world.Hooks.ValidateConfigAsync(Json(world.Config("Self Check", "s-self-check")));

        Assert.True(verdict.Ok, string.Join("; ", verdict.Errors));
    }

    [Fact]
    public async Task Names_are_per_group_but_XMPP_users_are_per_server()
    {
        await AddGroupAsync("rossis", "photos");
        await world.Web.IssueApiKeyAsync("Rossi Bot", group: "rossis");

        var sameName = await world.Hooks.ValidateConfigAsync(Json(world.Config("Rossi Bot", "s-feldman-rossi-bot")));
        var sameSlug = await world.Hooks.ValidateConfigAsync(Json(world.Config("Not Rossi", "s-rossi-bot")));

        Assert.True(sameName.Ok, string.Join("; ", sameName.Errors));
        Assert.False(sameSlug.Ok);
        Assert.Equal(["slug 's-rossi-bot' is already the XMPP user of another agent"], sameSlug.Errors);
    }

    [Fact]
    public async Task A_group_famiglia_web_does_not_know_is_rejected()
    {
        var config = world.Config("Lost Agent", "s-lost-agent");
        config["groupId"] = "no-such-group";

        var verdict = await world.Hooks.ValidateConfigAsync(Json(config));

        Assert.Equal(["groupId 'no-such-group' is not a group famiglia-web knows"], verdict.Errors);
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        await world.Web.IssueApiKeyAsync("Busy Bee");
        var config = world.Config("Busy Bee", "s-");
        config.Remove("roomId");

        var verdict = await world.Hooks.ValidateConfigAsync(Json(config));

        Assert.Equal(
            [
                "slug 's-' is not an agent XMPP user: it must match ^s-[a-z0-9]+(-[a-z0-9]+)*$, e.g. s-photo-agent",
                "roomId is missing",
                "name 'Busy Bee' is already the name of another agent in this group",
            ],
            verdict.Errors);
    }

    [Fact]
    public async Task When_famiglia_web_is_down_the_hook_fails_instead_of_accepting_the_config()
    {
        var hooks = await world.WriteKitAsync("kit-down", new Uri($"http://127.0.0.1:{FreePort.Next()}"), world.TokenFile);

        var failure = await Assert.ThrowsAsync<KitHookException>(() => hooks.ValidateConfigAsync(Json(world.Config("Down Agent", "s-down-agent"))));

        Assert.Equal(KitHookFailure.NonZeroExit, failure.Failure);
        Assert.Equal(1, failure.ExitCode);
        Assert.Contains("is unreachable", failure.Message);
    }

    [Fact]
    public async Task A_wrong_kit_token_fails_the_hook_and_says_which_setting_to_fix()
    {
        var wrongToken = world.Directory.Combine("wrong-kit-token");
        await File.WriteAllTextAsync(wrongToken, "not-the-kit-token\n");
        var hooks = await world.WriteKitAsync("kit-wrong-token", world.Web.BaseAddress, wrongToken);

        var failure = await Assert.ThrowsAsync<KitHookException>(() => hooks.ValidateConfigAsync(Json(world.Config("Token Agent", "s-token-agent"))));

        Assert.Contains("refused the kit token (401", failure.Message);
        Assert.Contains("kitTokenFile", failure.Message);
        Assert.DoesNotContain("not-the-kit-token", failure.Message);
    }

    private static JsonElement Json(Dictionary<string, string?> config) => JsonSerializer.SerializeToElement(config);

    private async Task<string> XmppUserOfAsync(string agent)
    {
        await using var db = world.Db();
        return await db.AgentConfigs.Where(a => a.Name == agent).Select(a => a.XmppUser).SingleAsync();
    }

    private async Task AddGroupAsync(string slug, string room)
    {
        await using var db = world.Db();
        if (await db.Groups.AnyAsync(g => g.Slug == slug))
        {
            return;
        }

        var group = new Group { Slug = slug, Name = slug, CreatedAt = DateTime.UtcNow };
        db.Groups.Add(group);
        db.Rooms.Add(new Room { GroupId = group.Id, Slug = room, Name = room, CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }
}
