using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Famiglia.Xmpp.Transport;

/// <summary>Builds the server-certificate check from <see cref="XmppTlsOptions"/>.</summary>
internal static class TlsValidation
{
    public static RemoteCertificateValidationCallback? Create(XmppTlsOptions options, ILogger logger)
    {
        if (options.AcceptAnyCertificate)
        {
            return (_, _, _, _) =>
            {
                XmppLog.AcceptingAnyCertificate(logger);
                return true;
            };
        }

        if (options.PinnedCertificatePath is null)
        {
            return null; // the system trust store
        }

        var pinned = LoadCertificate(options.PinnedCertificatePath);
        return (_, certificate, _, errors) =>
        {
            if (certificate is null)
            {
                return false;
            }

            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var server = new X509Certificate2(certificate);
            if (server.RawDataMemory.Span.SequenceEqual(pinned.RawDataMemory.Span))
            {
                return true;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(pinned);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(server);
        };
    }

    private static X509Certificate2 LoadCertificate(string path)
    {
        var text = File.ReadAllText(path);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : X509CertificateLoader.LoadCertificateFromFile(path);
    }
}
