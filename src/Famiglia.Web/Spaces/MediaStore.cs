using System.Security.Cryptography;
using Famiglia.Web.Infrastructure;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Spaces;

/// <summary>Media bytes on disk under <c>{DataDirectory}/media</c>, content-addressed by SHA-256 so equal uploads share a file.</summary>
internal sealed class MediaStore(IOptions<FamigliaOptions> options)
{
    private readonly string _root = options.Value.MediaDirectory;

    public async Task<(string StorageKey, string Sha256)> SaveAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes.Span));
        var key = Path.Combine(sha[..2], sha);
        var path = Path.Combine(_root, key);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllBytesAsync(temp, bytes, cancellationToken);
            File.Move(temp, path, overwrite: true);
        }

        return (key, sha);
    }

    public string PathOf(Media media) => Path.Combine(_root, media.StorageKey);
}
