using System.Security.Cryptography;
using System.Text;

namespace Aegis.Core.Secrets;

/// <summary>
/// Encrypts secrets at rest with AES-256-GCM under a key file created on first use with mode 0600.
/// Each value is bound to its app and name (associated data), so a ciphertext copied to another row
/// does not decrypt.
/// </summary>
public sealed class SecretProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    private SecretProtector(byte[] key) => _key = key;

    /// <summary>Loads the key at <paramref name="keyPath"/>, creating it (0600) when it does not exist.</summary>
    public static SecretProtector LoadOrCreate(string keyPath)
    {
        if (!File.Exists(keyPath))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyPath))!);
            var key = RandomNumberGenerator.GetBytes(32);
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(keyPath, create))
            {
                stream.Write(key);
            }

            return new SecretProtector(key);
        }

        var existing = File.ReadAllBytes(keyPath);
        return existing.Length == 32
            ? new SecretProtector(existing)
            : throw new InvalidOperationException($"The secrets key {keyPath} is {existing.Length} bytes, not 32; it is damaged.");
    }

    /// <summary>Encrypts a value for (app, name).</summary>
    public byte[] Protect(string appId, string name, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), AssociatedData(appId, name));
        return output;
    }

    /// <summary>Decrypts a value of (app, name); throws when it was tampered with or belongs elsewhere.</summary>
    public string Unprotect(string appId, string name, byte[] protectedValue)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        var plain = new byte[protectedValue.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(protectedValue.AsSpan(0, NonceSize), protectedValue.AsSpan(NonceSize + TagSize), protectedValue.AsSpan(NonceSize, TagSize), plain, AssociatedData(appId, name));
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] AssociatedData(string appId, string name) => Encoding.UTF8.GetBytes($"{appId}\n{name}");
}
