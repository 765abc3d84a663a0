using System.Text;
using Aegis.Sandbox.Logging;

namespace Aegis.Sandbox.Tests.Logging;

public sealed class RotatingLogFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("aegis-log-test-");

    [Fact]
    public async Task Rotates_at_the_cap_and_keeps_only_the_newest_files()
    {
        var path = Path.Combine(_directory.FullName, "sandbox.log");
        var log = new RotatingLogFile(path, maxBytes: 100, files: 3);
        var written = new StringBuilder();
        for (var i = 0; i < 45; i++)
        {
            var line = $"line {i:D3}\n";
            written.Append(line);
            await log.WriteAsync(Encoding.UTF8.GetBytes(line));
        }

        await log.DisposeAsync();

        Assert.False(File.Exists(path + ".3"));
        var kept = File.ReadAllText(path + ".2") + File.ReadAllText(path + ".1") + File.ReadAllText(path);
        Assert.All(new[] { path, path + ".1", path + ".2" }, p => Assert.True(new FileInfo(p).Length <= 100));
        Assert.EndsWith(kept, written.ToString(), StringComparison.Ordinal);
        Assert.True(kept.Length >= 200, "two full files plus the current one are kept");
        Assert.DoesNotContain("line 000", kept);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
