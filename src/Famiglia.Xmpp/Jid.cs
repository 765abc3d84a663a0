using System.Diagnostics.CodeAnalysis;

namespace Famiglia.Xmpp;

/// <summary>An XMPP address (RFC 7622): <c>local@domain/resource</c>, where local and resource are optional.</summary>
public readonly record struct Jid
{
    /// <summary>Creates a JID from its parts. The domain is required; local part and resource may be null.</summary>
    public Jid(string? local, string domain, string? resource = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        Local = string.IsNullOrEmpty(local) ? null : local;
        Domain = domain.ToLowerInvariant();
        Resource = string.IsNullOrEmpty(resource) ? null : resource;
    }

    /// <summary>The local part (user or room name), or null.</summary>
    public string? Local { get; }

    /// <summary>The domain part, lower-cased.</summary>
    public string Domain { get; }

    /// <summary>The resource (or MUC nick), or null.</summary>
    public string? Resource { get; }

    /// <summary>True when the JID has no resource.</summary>
    public bool IsBare => Resource is null;

    /// <summary>The JID without its resource.</summary>
    public Jid Bare => new(Local, Domain);

    /// <summary>This JID with another resource.</summary>
    public Jid WithResource(string resource) => new(Local, Domain, resource);

    /// <summary>Parses a JID, throwing <see cref="FormatException"/> with the reason when it is malformed.</summary>
    public static Jid Parse(string value)
    {
        if (!TryParse(value, out var jid, out var error))
        {
            throw new FormatException($"'{value}' is not a valid JID: {error}");
        }

        return jid;
    }

    /// <summary>Parses a JID without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out Jid jid) => TryParse(value, out jid, out _);

    private static bool TryParse(string? value, out Jid jid, out string error)
    {
        jid = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "it is empty";
            return false;
        }

        string? resource = null;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var rest = value;
        if (slash >= 0)
        {
            resource = value[(slash + 1)..];
            rest = value[..slash];
            if (resource.Length == 0)
            {
                error = "the resource after '/' is empty";
                return false;
            }
        }

        string? local = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            local = rest[..at];
            rest = rest[(at + 1)..];
            if (local.Length == 0)
            {
                error = "the local part before '@' is empty";
                return false;
            }

            if (local.AsSpan().IndexOfAny("\"&'/:<>@ ") >= 0)
            {
                error = "the local part contains a character that is not allowed";
                return false;
            }
        }

        if (rest.Length == 0 || rest.Contains('@', StringComparison.Ordinal) || rest.AsSpan().IndexOfAny(" \t\r\n") >= 0)
        {
            error = "the domain is empty or malformed";
            return false;
        }

        if (local?.Length > 1023 || rest.Length > 1023 || resource?.Length > 1023)
        {
            error = "a part is longer than 1023 characters";
            return false;
        }

        jid = new Jid(local, rest, resource);
        error = "";
        return true;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var bare = Local is null ? Domain : $"{Local}@{Domain}";
        return Resource is null ? bare : $"{bare}/{Resource}";
    }
}
