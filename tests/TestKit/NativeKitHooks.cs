namespace Famiglia.TestKit;

/// <summary>
/// The kit's hooks as ./famiglia up runs them: the NativeAOT executable <c>src/Famiglia.Kit/publish-native</c> makes,
/// once per test run into the repository's <c>.famiglia/kit-hooks</c> (its key over the sources makes later runs quick).
/// With <c>FAMIGLIA_KIT_HOOKS</c> set (./famiglia test publishes first and sets it) that directory is used as it is.
/// </summary>
public static class NativeKitHooks
{
    public const string EnvironmentVariable = "FAMIGLIA_KIT_HOOKS";

    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    /// <summary>The path of the executable, published first if needed.</summary>
    public static Task<string> ExecutableAsync() => Published.Value;

    private static async Task<string> PublishAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } prebuilt)
        {
            var published = Path.Combine(prebuilt, "famiglia-kit-hooks");
            return File.Exists(published) ? published : throw new FileNotFoundException($"{EnvironmentVariable} names {prebuilt}, which has no famiglia-kit-hooks", published);
        }

        var directory = RepositoryPaths.Combine(".famiglia", "kit-hooks");
        await BuildScript.RunAsync("src/Famiglia.Kit/publish-native", [directory], TimeSpan.FromMinutes(10));
        return Path.Combine(directory, "famiglia-kit-hooks");
    }
}
