using System.Security.Cryptography;

namespace Aegis.Daemon.Auth;

/// <summary>The management API's bearer token: created on first start (0600) in the data dir; the CLI reads it.</summary>
internal static class TokenFile
{
    public static string LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var token = "aegis_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        using (var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(token);
        }

        return token;
    }
}
