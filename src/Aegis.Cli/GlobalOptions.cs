using System.CommandLine;
using Aegis.Cli.Api;

namespace Aegis.Cli;

/// <summary>Where aegisd is and how to authenticate: options every command accepts, defaulted from the environment.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";
    public const string DefaultDataDirectory = "/var/lib/aegis";

    public Option<string> Url { get; } = new("--url")
    {
        Description = "aegisd's URL; $AEGIS_URL sets the default",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AEGIS_URL") is { Length: > 0 } url ? url : DefaultUrl,
    };

    public Option<string> DataDirectory { get; } = new("--data-dir")
    {
        Description = "aegisd's data directory; $AEGIS_DATA_DIR sets the default",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AEGIS_DATA_DIR") is { Length: > 0 } dir ? dir : DefaultDataDirectory,
    };

    public Option<string?> TokenFile { get; } = new("--token-file")
    {
        Description = "the file holding aegisd's bearer token (default: $AEGIS_TOKEN_FILE or <data-dir>/token)",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Add(Url);
        root.Add(DataDirectory);
        root.Add(TokenFile);
    }

    public Uri ResolveUrl(ParseResult parse) => ParseUrl(parse.GetValue(Url)!, "--url");

    public string ResolveDataDirectory(ParseResult parse) => Path.GetFullPath(parse.GetValue(DataDirectory)!);

    public string ResolveTokenFile(ParseResult parse) =>
        parse.GetValue(TokenFile)
        ?? (Environment.GetEnvironmentVariable("AEGIS_TOKEN_FILE") is { Length: > 0 } file ? file : null)
        ?? Path.Combine(ResolveDataDirectory(parse), "token");

    public AegisApiClient CreateClient(ParseResult parse) => new(ResolveUrl(parse), ResolveTokenFile(parse));

    /// <summary>A fresh <c>--json</c> for one read command.</summary>
    public static Option<bool> CreateJsonOption() => new("--json") { Description = "print aegisd's JSON as it answered" };

    public static Uri ParseUrl(string value, string option)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new CliUsageException($"{option} '{value}' is not an http:// or https:// URL.");
        }

        return url;
    }
}
