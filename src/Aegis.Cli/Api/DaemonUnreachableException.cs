namespace Aegis.Cli.Api;

/// <summary>Nothing answered at aegisd's URL; exits with <see cref="ExitCodes.Unreachable"/>.</summary>
internal sealed class DaemonUnreachableException(Uri url, string reason, Exception? inner = null)
    : Exception($"aegisd is not reachable at {url} ({reason}). Start it with 'aegis up -d' (or './famiglia up -d'), or point --url / AEGIS_URL at it.", inner)
{
    public Uri Url { get; } = url;
}
