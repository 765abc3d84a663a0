using System.Security.Cryptography;
using Famiglia.Web.Infrastructure;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Chat;

/// <summary>The password of famiglia-web's own XMPP account, generated once and kept in the data dir (mode 0600).</summary>
internal sealed class ServiceAccount
{
    public const string FileName = "xmpp-service.secret";
    private readonly Lazy<string> _password;

    public ServiceAccount(IOptions<FamigliaOptions> options)
    {
        var path = Path.Combine(options.Value.DataDirectory, FileName);
        _password = new Lazy<string>(() => LoadOrCreate(path), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Password => _password.Value;

    private static string LoadOrCreate(string path)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        var temp = path + ".tmp";
        var file = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temp, file))
        {
            writer.Write(password);
        }

        File.Move(temp, path, overwrite: true);
        return password;
    }
}
