namespace Aegis.Cli.Tests;

/// <summary>Kit manifests for the tests.</summary>
internal static class Manifests
{
    public static string Minimal(string name) => $"""
        name: {name}
        version: 1.0.0
        image:
          base: aegis/base:latest
        resources:
          memory: 64mb
          cpu: 1
          disk: 1gb
        """;

    /// <summary>An unknown key and a bad value nested two levels deep.</summary>
    public const string Malformed = """
        name: brokenkit
        version: 1.0.0
        image:
          base: aegis/base:latest
        resources:
          memory: lots
          cpu: 1
          disk: 1gb
        """;
}
