using System.Text.Json;
using Xunit;

namespace Famiglia.TestKit;

/// <summary>
/// The agent-base image (<c>images/agent-base/build</c>), built once per test run into the repository's
/// <c>.famiglia/images/agent-base</c>, where the script's cache makes every later run quick. With
/// <c>FAMIGLIA_AGENT_BASE_IMAGE</c> set (./famiglia test builds it first and sets it) that directory is used as it is.
/// </summary>
public sealed class AgentBaseImage : IAsyncLifetime
{
    public const string EnvironmentVariable = "FAMIGLIA_AGENT_BASE_IMAGE";

    // Once per process, however many classes use the fixture: the cold build (debootstrap) takes minutes.
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    /// <summary>The image directory: <c>image.json</c> and <c>rootfs/</c>.</summary>
    public string Directory { get; private set; } = "";

    public string RootDirectory => Path.Combine(Directory, "rootfs");

    /// <summary>The default environment of its image.json.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    /// <summary>The entrypoint of its image.json.</summary>
    public IReadOnlyList<string> Entrypoint { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Directory = await Built.Value;
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Directory, "image.json")));
        Environment = json.RootElement.GetProperty("env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Entrypoint = [.. json.RootElement.GetProperty("entrypoint").EnumerateArray().Select(e => e.GetString()!)];
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<string> BuildAsync()
    {
        if (System.Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } prebuilt)
        {
            return prebuilt;
        }

        var directory = RepositoryPaths.Combine(".famiglia", "images", "agent-base");
        await BuildScript.RunAsync("images/agent-base/build", ["--out", directory], TimeSpan.FromMinutes(30));
        return directory;
    }
}
