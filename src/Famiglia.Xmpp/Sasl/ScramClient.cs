using System.Security.Cryptography;
using System.Text;

namespace Famiglia.Xmpp.Sasl;

/// <summary>The client side of SCRAM (RFC 5802, RFC 7677) without channel binding.</summary>
internal sealed class ScramClient
{
    private const string Gs2Header = "n,,";
    private readonly HashAlgorithmName _hash;
    private readonly string _password;
    private readonly string _clientFirstBare;
    private readonly string _clientNonce;
    private byte[]? _serverSignature;

    public ScramClient(string mechanism, string username, string password, string? clientNonce = null)
    {
        _hash = mechanism switch
        {
            "SCRAM-SHA-1" => HashAlgorithmName.SHA1,
            "SCRAM-SHA-256" => HashAlgorithmName.SHA256,
            "SCRAM-SHA-512" => HashAlgorithmName.SHA512,
            _ => throw new ArgumentException($"Unsupported mechanism {mechanism}.", nameof(mechanism)),
        };
        Mechanism = mechanism;
        _password = password.Normalize(NormalizationForm.FormKC); // close to SASLprep for the passwords we generate and see
        _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        _clientFirstBare = $"n={EscapeUsername(username)},r={_clientNonce}";
    }

    public string Mechanism { get; }

    public byte[] ClientFirst() => Encoding.UTF8.GetBytes(Gs2Header + _clientFirstBare);

    /// <summary>Answers the server-first message with the client-final message.</summary>
    public byte[] ClientFinal(byte[] serverFirstBytes)
    {
        var serverFirst = Encoding.UTF8.GetString(serverFirstBytes);
        var attributes = ParseAttributes(serverFirst);
        if (!attributes.TryGetValue('r', out var nonce) || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal) || nonce.Length == _clientNonce.Length)
        {
            throw new XmppAuthenticationException("The server's SCRAM nonce does not extend ours.", "malformed-request");
        }

        if (!attributes.TryGetValue('s', out var saltText) || !attributes.TryGetValue('i', out var iterationText)
            || !int.TryParse(iterationText, System.Globalization.CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            throw new XmppAuthenticationException("The server's SCRAM challenge lacks a salt or iteration count.", "malformed-request");
        }

        var salt = Convert.FromBase64String(saltText);
        var hashLength = HashLength(_hash);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(_password), salt, iterations, _hash, hashLength);
        var clientKey = Hmac(salted, "Client Key"u8);
        var storedKey = Hash(clientKey);
        var withoutProof = $"c={Convert.ToBase64String(Encoding.ASCII.GetBytes(Gs2Header))},r={nonce}";
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{withoutProof}");
        var clientSignature = Hmac(storedKey, authMessage);
        var proof = new byte[clientKey.Length];
        for (var i = 0; i < proof.Length; i++)
        {
            proof[i] = (byte)(clientKey[i] ^ clientSignature[i]);
        }

        _serverSignature = Hmac(Hmac(salted, "Server Key"u8), authMessage);
        return Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}");
    }

    /// <summary>Checks the server's final message, proving the server knew the password too.</summary>
    public bool VerifyServerFinal(byte[] serverFinalBytes)
    {
        var attributes = ParseAttributes(Encoding.UTF8.GetString(serverFinalBytes));
        return _serverSignature is not null
            && attributes.TryGetValue('v', out var verifier)
            && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(verifier), _serverSignature);
    }

    private byte[] Hmac(byte[] key, ReadOnlySpan<byte> data) => _hash.Name switch
    {
        "SHA1" => HMACSHA1.HashData(key, data),
        "SHA256" => HMACSHA256.HashData(key, data),
        _ => HMACSHA512.HashData(key, data),
    };

    private byte[] Hash(byte[] data) => _hash.Name switch
    {
        "SHA1" => SHA1.HashData(data),
        "SHA256" => SHA256.HashData(data),
        _ => SHA512.HashData(data),
    };

    private static int HashLength(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => 20,
        "SHA256" => 32,
        _ => 64,
    };

    private static string EscapeUsername(string username) =>
        username.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    private static Dictionary<char, string> ParseAttributes(string message)
    {
        var result = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length >= 2 && part[1] == '=')
            {
                result[part[0]] = part[2..];
            }
        }

        if (result.TryGetValue('e', out var error))
        {
            throw new XmppAuthenticationException($"The server refused the SCRAM exchange: {error}.", "not-authorized");
        }

        return result;
    }
}
