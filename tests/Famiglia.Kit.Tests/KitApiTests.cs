using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Famiglia.Kit.Tests;

/// <summary>famiglia-web's <c>/api/kit</c> (src/Famiglia.Web/Kit) on the real server: the kit token and the shapes the hooks rely on.</summary>
[Collection(KitWorldCollection.Name)]
public sealed class KitApiTests(KitWorld world)
{
    [Fact]
    public void Famiglia_web_creates_a_private_random_kit_token_on_startup()
    {
        Assert.Matches("^[A-Za-z0-9_-]{43}$", world.Token);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(world.TokenFile));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    public async Task Kit_endpoints_refuse_a_missing_or_wrong_token_with_401_problem_details(string? token)
    {
        using var client = world.WebClient(token);

        using var availability = await client.GetAsync($"/api/kit/agents/availability?groupId={world.FeldmansId}&name=x&slug=s-x");
        using var published = await client.PostAsJsonAsync("/api/kit/published", new { appId = "app_x", version = "1", artifacts = Array.Empty<string>() });
        using var unknown = await client.GetAsync("/api/kit/nothing-here");

        foreach (var response in new[] { availability, published, unknown })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task A_token_that_differs_in_its_last_character_is_refused()
    {
        var token = world.Token;
        using var client = world.WebClient(token[..^1] + (token[^1] == 'A' ? 'B' : 'A'));

        using var response = await client.GetAsync($"/api/kit/agents/availability?groupId={world.FeldmansId}&name=x&slug=s-x");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_agents_Data_API_key_is_no_kit_token_and_the_kit_token_is_no_Data_API_key()
    {
        var agentKey = await world.Web.IssueApiKeyAsync("Key Holder");
        using var asAgent = world.WebClient(agentKey);
        using var asKit = world.WebClient(world.Token);

        using var kitWithAgentKey = await asAgent.GetAsync($"/api/kit/agents/availability?groupId={world.FeldmansId}&name=x&slug=s-x");
        using var dataWithKitToken = await asKit.GetAsync("/api/agent/group");

        Assert.Equal(HttpStatusCode.Unauthorized, kitWithAgentKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, dataWithKitToken.StatusCode);
    }

    [Fact]
    public async Task Availability_answers_nameTaken_and_slugTaken()
    {
        await world.Web.IssueApiKeyAsync("Shape Agent");
        using var client = world.WebClient(world.Token);

        var taken = await client.GetFromJsonAsync<JsonElement>($"/api/kit/agents/availability?groupId={world.FeldmansId}&name=SHAPE%20agent&slug=s-other-shape");
        var free = await client.GetFromJsonAsync<JsonElement>($"/api/kit/agents/availability?groupId={world.FeldmansId}&name=Another%20Shape&slug=s-another-shape");

        Assert.Equal("""{"nameTaken":true,"slugTaken":false}""", taken.GetRawText());
        Assert.Equal("""{"nameTaken":false,"slugTaken":false}""", free.GetRawText());
    }

    [Fact]
    public async Task Availability_without_its_parameters_is_a_validation_problem_naming_them()
    {
        using var client = world.WebClient(world.Token);

        using var response = await client.GetAsync("/api/kit/agents/availability?name=x");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["groupId", "slug"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task Publishing_without_appId_or_version_is_a_validation_problem_and_an_unknown_app_is_404()
    {
        using var client = world.WebClient(world.Token);

        using var invalid = await client.PostAsJsonAsync("/api/kit/published", new { artifacts = Array.Empty<string>() });
        using var unknown = await client.PostAsJsonAsync("/api/kit/published", new { appId = "app_nobody", version = "1", artifacts = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await invalid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["appId", "version"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        // aegisd numbers releases: anything else cannot be rolled out.
        using var notANumber = await client.PostAsJsonAsync("/api/kit/published", new { appId = "app_nobody", version = "v2-beta", artifacts = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, notANumber.StatusCode);
        var notANumberProblem = await notANumber.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("'v2-beta'", notANumberProblem.GetProperty("errors").GetProperty("version")[0].GetString(), StringComparison.Ordinal);
    }
}
