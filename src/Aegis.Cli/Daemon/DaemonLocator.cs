namespace Aegis.Cli.Daemon;

/// <summary>Finds the built <c>aegisd.dll</c> for <c>aegis up</c>, in this order:
/// <list type="number">
/// <item><c>$AEGISD_DLL</c>, when set;</item>
/// <item>next to the CLI (<c>AppContext.BaseDirectory/aegisd.dll</c>), as in a deployment that ships both;</item>
/// <item>in the repository the CLI was built in (the first directory above it holding <c>Aegis.slnx</c>):
/// <c>src/Aegis.Daemon/bin/&lt;Configuration&gt;/net10.0/aegisd.dll</c>, the CLI's own configuration first, then Debug, then Release.</item>
/// </list></summary>
internal static class DaemonLocator
{
    public const string DaemonDll = "aegisd.dll";

    public static string Find()
    {
        var candidates = Candidates(AppContext.BaseDirectory).ToList();
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new CliUsageException(
                $"cannot find {DaemonDll}; looked at {string.Join(", ", candidates)}. Build it with 'dotnet build Aegis.slnx', or set AEGISD_DLL.");
    }

    internal static IEnumerable<string> Candidates(string baseDirectory)
    {
        if (Environment.GetEnvironmentVariable("AEGISD_DLL") is { Length: > 0 } configured)
        {
            yield return Path.GetFullPath(configured);
            yield break;
        }

        yield return Path.Combine(baseDirectory, DaemonDll);

        var repository = RepositoryRoot(baseDirectory);
        if (repository is null)
        {
            yield break;
        }

        // The CLI itself sits in src/Aegis.Cli/bin/<Configuration>/net10.0/.
        var ownConfiguration = new DirectoryInfo(baseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name;
        foreach (var configuration in new[] { ownConfiguration, "Debug", "Release" }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            yield return Path.Combine(repository, "src", "Aegis.Daemon", "bin", configuration, "net10.0", DaemonDll);
        }
    }

    private static string? RepositoryRoot(string baseDirectory)
    {
        for (var directory = new DirectoryInfo(baseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Aegis.slnx")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
