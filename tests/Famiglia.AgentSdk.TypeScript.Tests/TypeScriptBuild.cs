namespace Famiglia.AgentSdk.TypeScript.Tests;

/// <summary>
/// sdk/typescript and the TypeScript templates, installed and built in the repository as a developer would
/// (<c>npm ci</c>, <c>npm run build</c>), once per test run: the SDK first, because the templates depend on it as
/// <c>file:../../sdk/typescript</c> and compile against its declarations.
/// </summary>
internal static class TypeScriptBuild
{
    public static readonly string[] Templates = ["photo-library-ts", "echo-ts", "react-dashboard"];

    private static readonly Lazy<Task> Built = new(BuildAsync);

    public static string Sdk => RepositoryPaths.Combine("sdk", "typescript");

    public static string Template(string name) => RepositoryPaths.Combine("templates", name);

    /// <summary>Completes when everything is built; fails with the failing command's output otherwise.</summary>
    public static Task EnsureAsync() => Built.Value;

    private static async Task BuildAsync()
    {
        foreach (var project in new[] { Sdk }.Concat(Templates.Select(Template)))
        {
            await Tool.SucceedAsync(project, "npm", "ci", "--no-audit", "--no-fund");
            await Tool.SucceedAsync(project, "npm", "run", "build");
        }
    }
}
