using Famiglia.TestKit;

namespace Aegis.Core.Tests.Kits;

/// <summary>Hooks executables written as small shell scripts into a temp dir, one per test.</summary>
internal sealed class HookScripts : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create("kit-hooks");

    public string Directory => _directory.Path;

    /// <summary>Writes <c>#!/bin/sh</c> and <paramref name="body"/> as an executable; hooks run with the script's
    /// directory as their working directory, so relative files land in <see cref="Directory"/>.</summary>
    public string Write(string body, bool executable = true)
    {
        var path = _directory.Combine($"hooks-{Guid.NewGuid():N}");
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | (executable ? UnixFileMode.UserExecute : 0));
        }

        return path;
    }

    public string ReadFile(string name) => File.ReadAllText(_directory.Combine(name));

    public void Dispose() => _directory.Dispose();
}
