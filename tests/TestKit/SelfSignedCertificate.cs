using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Famiglia.TestKit;

/// <summary>Writes a self-signed certificate for an XMPP domain and its subdomains, as ejabberd wants it:
/// one PEM file with the certificate and the private key.</summary>
public static class SelfSignedCertificate
{
    /// <summary>Writes <paramref name="pemPath"/> (certificate + key, mode 0600) and returns the certificate-only PEM path.</summary>
    public static string Write(string domain, string pemPath)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={domain}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(domain);
        names.AddDnsName($"*.{domain}");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));

        var certificatePem = certificate.ExportCertificatePem();
        File.WriteAllText(pemPath, certificatePem + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(pemPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var publicPath = Path.ChangeExtension(pemPath, ".crt");
        File.WriteAllText(publicPath, certificatePem + "\n");
        return publicPath;
    }
}
