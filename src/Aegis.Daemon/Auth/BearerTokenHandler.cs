using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Auth;

/// <summary>Accepts <c>Authorization: Bearer {token}</c> with the daemon's token, compared in constant time.</summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ManagementToken token) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AegisToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(presented, token.Bytes))
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not this daemon's token."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "aegis-admin")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"aegisd\"";
        return base.HandleChallengeAsync(properties);
    }
}

/// <summary>The token, loaded once.</summary>
internal sealed class ManagementToken(string value)
{
    public byte[] Bytes { get; } = Encoding.UTF8.GetBytes(value);
}
