using Famiglia.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Famiglia.Web.Tests;

public sealed class SecretsAtRestTests
{
    [Fact]
    public async Task An_agents_xmpp_password_is_stored_sealed_and_opens_to_the_password()
    {
        await using var web = new FamigliaWebFactory();
        await web.SeedAsync();
        await web.IssueKeyAsync("feldmans", "sealed-agent");

        var stored = await web.QueryAsync(db => db.AgentConfigs.Where(a => a.Name == "sealed-agent").Select(a => a.XmppPassword).SingleAsync());
        Assert.StartsWith(SecretBox.Prefix, stored, StringComparison.Ordinal);
        var password = web.Services.GetRequiredService<SecretBox>().Open(stored);
        Assert.Equal(32, password.Length); // 24 random bytes, base64
        Assert.DoesNotContain(password, stored, StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(web.DataDirectory, "keys"), "key-*.xml"));
    }

    [Fact]
    public async Task Secrets_a_former_famiglia_web_stored_in_clear_are_sealed_at_the_next_start_and_read_the_same()
    {
        using var data = Famiglia.TestKit.TempDirectory.Create("legacy-secrets-");
        await using (var first = new FamigliaWebFactory(dataDirectory: data.Path))
        {
            await first.SeedAsync();
            await first.IssueKeyAsync("feldmans", "legacy-agent");
            await first.QueryAsync(db => db.AgentConfigs.Where(a => a.Name == "legacy-agent").ExecuteUpdateAsync(a => a
                .SetProperty(x => x.XmppPassword, "clear-password")
                .SetProperty(x => x.Env, """{"ANTHROPIC_API_KEY":"sk-clear"}""")));
            await first.QueryAsync(db => db.Users.Where(u => u.Handle == "@u:bob@dev1.localhost").ExecuteUpdateAsync(u => u
                .SetProperty(x => x.XmppPassword, "bobs-clear-password")));
        }

        await using var second = new FamigliaWebFactory(dataDirectory: data.Path);
        second.StartServer();
        var box = second.Services.GetRequiredService<SecretBox>();
        var agent = await second.QueryAsync(db => db.AgentConfigs.Where(a => a.Name == "legacy-agent").Select(a => new { a.XmppPassword, a.Env }).SingleAsync());
        var bob = await second.QueryAsync(db => db.Users.Where(u => u.Handle == "@u:bob@dev1.localhost").Select(u => u.XmppPassword).SingleAsync());

        Assert.StartsWith(SecretBox.Prefix, agent.XmppPassword, StringComparison.Ordinal);
        Assert.StartsWith(SecretBox.Prefix, agent.Env, StringComparison.Ordinal);
        Assert.StartsWith(SecretBox.Prefix, bob, StringComparison.Ordinal);
        Assert.Equal("clear-password", box.Open(agent.XmppPassword));
        Assert.Equal("""{"ANTHROPIC_API_KEY":"sk-clear"}""", box.Open(agent.Env!));
        Assert.Equal("bobs-clear-password", box.Open(bob!));
    }
}
