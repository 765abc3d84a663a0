namespace Aegis.Core.Kits;

/// <summary>A kit hook failed. The message names the hook, the executable and the cause, followed by the last
/// lines the hook wrote to stderr (with the request's secrets masked); it never holds the request.</summary>
public sealed class KitHookException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="hookName">The hook, e.g. <see cref="KitHookName.RenderEnv"/>.</param>
    /// <param name="executable">The hooks executable's full path.</param>
    /// <param name="failure">Why the hook failed.</param>
    /// <param name="cause">What happened, completing "Kit hook X (path) …", e.g. <c>exited with code 3</c>.</param>
    /// <param name="stderrTail">The last lines the hook wrote to stderr, secrets already masked.</param>
    /// <param name="exitCode">The hook's exit code, when it exited by itself.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public KitHookException(
        string hookName,
        string executable,
        KitHookFailure failure,
        string cause,
        IReadOnlyList<string>? stderrTail = null,
        int? exitCode = null,
        Exception? innerException = null)
        : base(FormatMessage(hookName, executable, cause, stderrTail ?? []), innerException)
    {
        HookName = hookName;
        Executable = executable;
        Failure = failure;
        StderrTail = stderrTail ?? [];
        ExitCode = exitCode;
    }

    /// <summary>The hook, e.g. <see cref="KitHookName.RenderEnv"/>.</summary>
    public string HookName { get; }

    /// <summary>The hooks executable's full path.</summary>
    public string Executable { get; }

    /// <summary>Why the hook failed.</summary>
    public KitHookFailure Failure { get; }

    /// <summary>The last lines the hook wrote to stderr, secrets masked.</summary>
    public IReadOnlyList<string> StderrTail { get; }

    /// <summary>The hook's exit code, when it exited by itself.</summary>
    public int? ExitCode { get; }

    private static string FormatMessage(string hookName, string executable, string cause, IReadOnlyList<string> stderrTail)
    {
        var message = $"Kit hook {hookName} ({executable}) {cause}.";
        return stderrTail.Count == 0
            ? message
            : $"{message} Last stderr lines:{Environment.NewLine}  {string.Join($"{Environment.NewLine}  ", stderrTail)}";
    }
}
