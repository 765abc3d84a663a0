using System.Security.Cryptography;
using System.Text;
using Famiglia.Web.Infrastructure;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Kit;

/// <summary>
/// The shared secret the Famiglia kit's hooks (run by aegisd) present to <c>/api/kit</c>:
/// <c>&lt;Famiglia:DataDirectory&gt;/kit-token</c>, created on first start (32 random bytes, base64url, mode 0600)
/// and kept across restarts. Only its SHA-256 stays in memory; it is never logged.
/// </summary>
internal sealed partial class KitToken : IHostedService
{
    public const string FileName = "kit-token";

    private readonly Lazy<byte[]> _hash;
    private readonly ILogger<KitToken> _logger;

    public KitToken(IOptions<FamigliaOptions> options, ILogger<KitToken> logger)
    {
        _logger = logger;
        FilePath = Path.Combine(options.Value.DataDirectory, FileName);
        _hash = new Lazy<byte[]>(() => SHA256.HashData(Encoding.UTF8.GetBytes(LoadOrCreate())), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string FilePath { get; }

    /// <summary>Creates the file at startup, so the hooks' settings can point at it before the first request.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _hash.Value;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Whether <paramref name="presented"/> is the token, in time independent of where they differ.</summary>
    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _hash.Value);

    private string LoadOrCreate()
    {
        if (!File.Exists(FilePath))
        {
            Create();
        }

        var token = File.ReadAllText(FilePath).Trim();
        return token.Length > 0
            ? token
            : throw new InvalidOperationException($"{FilePath} is empty; delete it and restart famiglia-web to create a new kit token.");
    }

    private void Create()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var staging = $"{FilePath}.{Guid.NewGuid():N}.new";
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(staging, create))
        {
            stream.Write(Encoding.ASCII.GetBytes(token + "\n"));
        }

        try
        {
            // Never replaces a token another famiglia-web process on this data directory wrote meanwhile.
            File.Move(staging, FilePath, overwrite: false);
            Created(_logger, FilePath);
        }
        catch (IOException) when (File.Exists(FilePath))
        {
            File.Delete(staging);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Created the kit token file {Path} for the Famiglia kit's hooks")]
    private static partial void Created(ILogger logger, string path);
}
