namespace Famiglia.Web.Tests;

public sealed class CommandTests
{
    [Fact]
    public async Task Seed_demo_fills_an_empty_database_once()
    {
        await using var web = new FamigliaWebFactory();
        web.StartServer();
        using var first = new StringWriter();
        Assert.Equal(0, await Famiglia.Web.Commands.FamigliaCommands.RunAsync(web.Services, ["seed-demo"], first, TextWriter.Null));
        Assert.Contains("Seeded", first.ToString());
        using var second = new StringWriter();
        Assert.Equal(0, await Famiglia.Web.Commands.FamigliaCommands.RunAsync(web.Services, ["seed-demo"], second, TextWriter.Null));
        Assert.Contains("not empty", second.ToString());

        var counts = await web.QueryAsync(async db => (
            Posts: await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Posts),
            Media: await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Media)));
        Assert.Equal((237, 234), counts);
        Assert.Equal(234, Directory.EnumerateFiles(Path.Combine(web.DataDirectory, "media"), "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task Issue_api_key_needs_group_and_agent_and_an_existing_group()
    {
        await using var web = new FamigliaWebFactory();
        web.StartServer();
        using var error = new StringWriter();
        Assert.Equal(2, await Famiglia.Web.Commands.FamigliaCommands.RunAsync(web.Services, ["issue-api-key", "--agent", "x"], TextWriter.Null, error));
        Assert.Contains("usage", error.ToString());
        using var missing = new StringWriter();
        Assert.Equal(1, await Famiglia.Web.Commands.FamigliaCommands.RunAsync(web.Services, ["issue-api-key", "--group", "nobody", "--agent", "x"], TextWriter.Null, missing));
        Assert.Contains("no group 'nobody'", missing.ToString());
    }
}
