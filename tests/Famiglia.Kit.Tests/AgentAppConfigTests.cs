using System.Text.Json;

namespace Famiglia.Kit.Tests;

/// <summary>Edge cases of the config's fields, in-process; the hooks themselves are tested as real processes.</summary>
public sealed class AgentAppConfigTests
{
    private static readonly KitSettings Settings = KitSettings.Parse(
        KitWorld.Settings(new Uri("http://127.0.0.1:3000"), "/var/lib/famiglia/kit-token"), "test settings");

    [Theory]
    [InlineData("s-a")]
    [InlineData("s-photo-agent")]
    [InlineData("s-agent-2")]
    [InlineData("s-0")]
    public void Slugs_of_the_form_s_words_are_accepted(string slug) => Assert.Empty(Errors(Config(slug: slug)));

    [Theory]
    [InlineData("photo-agent")]
    [InlineData("s-")]
    [InlineData("s-Photo")]
    [InlineData("s-photo--agent")]
    [InlineData("s-photo-")]
    [InlineData("s_photo")]
    [InlineData("s-photo.agent")]
    public void Other_slugs_are_rejected_naming_the_slug(string slug)
    {
        var error = Assert.Single(Errors(Config(slug: slug)));
        Assert.StartsWith($"slug '{slug}'", error);
    }

    [Fact]
    public void A_slug_may_have_48_characters_but_not_49()
    {
        Assert.Empty(Errors(Config(slug: "s-" + new string('a', 46))));
        Assert.Equal(["slug must be at most 48 characters (it has 49)"], Errors(Config(slug: "s-" + new string('a', 47))));
    }

    [Fact]
    public void A_name_may_have_80_characters_but_not_81_and_may_not_be_blank()
    {
        Assert.Empty(Errors(Config(name: new string('n', 80))));
        Assert.Equal(["name must be at most 80 characters (it has 81)"], Errors(Config(name: new string('n', 81))));
        Assert.Equal(["name must not be empty"], Errors(Config(name: "   ")));
    }

    [Fact]
    public void Missing_and_mistyped_fields_are_each_named()
    {
        var errors = Errors("""{"name": 3, "slug": "s-a", "groupSlug": "feldmans", "roomSlug": null, "template": "nope", "agentCommand": ""}""");

        Assert.Equal(
            [
                "name must be a string",
                "groupId is missing",
                "roomId is missing",
                "roomSlug is missing",
                "template 'nope' is unknown (known: echo, photo-library)",
                "agentCommand must not be empty (leave it out instead)",
            ],
            errors);
    }

    [Fact]
    public void A_config_that_is_not_an_object_is_rejected()
    {
        Assert.Equal(["config must be a JSON object with name, slug, groupId, groupSlug, roomId and roomSlug"], Errors("[]"));
        var errors = new List<string>();
        Assert.Null(AgentAppConfig.Read(null, Settings, errors));
        Assert.Single(errors);
    }

    [Theory]
    [InlineData("groupSlug", "feld mans")]
    [InlineData("roomSlug", "photos@x")]
    [InlineData("roomSlug", "a/b")]
    public void Slugs_that_cannot_be_in_a_room_JID_are_rejected(string field, string value)
    {
        var config = JsonSerializer.Deserialize<Dictionary<string, string>>(Config())!;
        config[field] = value;

        var error = Assert.Single(Errors(JsonSerializer.Serialize(config)));
        Assert.StartsWith($"{field} '{value}' cannot be part of the room's JID", error);
    }

    [Fact]
    public void The_nick_drops_the_s_prefix_and_the_template_gives_the_default_command()
    {
        var errors = new List<string>();
        var config = AgentAppConfig.Read(Parse(Config(slug: "s-photo-agent")), Settings, errors)!;
        Assert.Equal("@s:photo-agent@dev1.localhost", config.Nick("dev1.localhost"));
        Assert.Equal("photos.feldmans@conference.dev1.localhost", config.MucJid("dev1.localhost"));
        Assert.Equal(KitWorld.EchoCommand, config.TemplateCommand(Settings));
        Assert.Null((config with { Template = null }).TemplateCommand(Settings));
    }

    private static string Config(string name = "Photo Agent", string slug = "s-photo-agent") => JsonSerializer.Serialize(new
    {
        name,
        slug,
        groupId = "g1",
        groupSlug = "feldmans",
        roomId = "r1",
        roomSlug = "photos",
        template = "echo",
    });

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static List<string> Errors(string json)
    {
        var errors = new List<string>();
        AgentAppConfig.Read(Parse(json), Settings, errors);
        return errors;
    }
}
