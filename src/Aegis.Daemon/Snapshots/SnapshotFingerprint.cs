using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Aegis.Daemon.Snapshots;

/// <summary>What a snapshot must still match to be restored: the app's volume on the host and the environment.</summary>
internal static class SnapshotFingerprint
{
    /// <summary>Every file and directory below <paramref name="directory"/> by path, and files by size and modification time.</summary>
    public static string Volume(string directory)
    {
        var root = new DirectoryInfo(directory);
        var lines = new List<string>();
        if (root.Exists)
        {
            foreach (var entry in root.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                var path = Path.GetRelativePath(directory, entry.FullName);
                lines.Add(entry is FileInfo file
                    ? string.Create(CultureInfo.InvariantCulture, $"f {path} {file.Length} {file.LastWriteTimeUtc.Ticks}")
                    : $"d {path} {entry.LinkTarget}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));
    }

    /// <summary><c>salt:hash</c> of the environment but the instance id (a restored instance has a new one); the salt
    /// keeps the hash of a weak secret from being looked up.</summary>
    public static string Environment(IReadOnlyDictionary<string, string> environment, string? salt = null)
    {
        salt ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var text = new StringBuilder(salt);
        foreach (var (name, value) in environment.Where(e => e.Key != "AEGIS_INSTANCE_ID").OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append('\0').Append(name).Append('=').Append(value);
        }

        return salt + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static bool EnvironmentMatches(string stored, IReadOnlyDictionary<string, string> environment) =>
        stored.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(Environment(environment, stored[..colon])));
}
