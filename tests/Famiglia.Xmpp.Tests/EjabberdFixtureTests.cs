using System.Diagnostics;
using Famiglia.TestKit;

namespace Famiglia.Xmpp.Tests;

public class EjabberdFixtureTests
{
    [Fact]
    public async Task A_user_registered_through_the_admin_api_exists_and_is_gone_after_unregister()
    {
        await using var ejabberd = await EjabberdFixture.StartNewAsync();

        await ejabberd.Admin.RegisterAsync("alice", ejabberd.Host, "s3cret");
        Assert.True(await ejabberd.Admin.AccountExistsAsync("alice", ejabberd.Host));

        await ejabberd.Admin.UnregisterAsync("alice", ejabberd.Host);
        Assert.False(await ejabberd.Admin.AccountExistsAsync("alice", ejabberd.Host));

        // ejabberd's own log must not keep the password either.
        var logs = Directory.GetFiles(ejabberd.LogDirectory).Select(File.ReadAllText);
        Assert.DoesNotContain(logs, log => log.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_fixtures_run_side_by_side_and_leave_nothing_behind()
    {
        var first = await EjabberdFixture.StartNewAsync();
        var second = await EjabberdFixture.StartNewAsync();
        var dirs = new[] { first.LogDirectory, second.LogDirectory };
        try
        {
            Assert.NotEqual(first.C2SPort, second.C2SPort);
            Assert.NotEqual(first.NodeName, second.NodeName);

            // The same account name on both: they are separate servers with separate data.
            await first.Admin.RegisterAsync("bob", first.Host, "one");
            Assert.False(await second.Admin.AccountExistsAsync("bob", second.Host));
            Assert.Contains("started", await second.Admin.StatusAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }

        foreach (var dir in dirs)
        {
            Assert.False(Directory.Exists(Path.GetDirectoryName(dir)), $"{dir} should be removed");
        }

        Assert.DoesNotContain(Process.GetProcessesByName("beam.smp"), p => CommandLine(p).Contains(first.NodeName, StringComparison.Ordinal));
        Assert.DoesNotContain(Process.GetProcessesByName("beam.smp"), p => CommandLine(p).Contains(second.NodeName, StringComparison.Ordinal));
        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(first.AdminApiUri));
    }

    private static string CommandLine(Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
