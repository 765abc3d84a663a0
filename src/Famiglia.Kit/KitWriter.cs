using System.Text;

namespace Famiglia.Kit;

/// <summary>
/// Writes what <c>aegis kit install DIR</c> takes: <c>aegis-kit.yaml</c> and an executable <c>hooks</c>. aegisd keeps
/// a kit's hooks as one file copied into its own data directory, so <c>hooks</c> is a small <c>/bin/sh</c> wrapper
/// that names the settings file and this built program by absolute path.
/// </summary>
internal static class KitWriter
{
    public const string ManifestFileName = "aegis-kit.yaml";
    public const string HooksFileName = "hooks";

    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>The kit's manifest, as built into this program.</summary>
    public static string Manifest()
    {
        using var stream = typeof(KitWriter).Assembly.GetManifestResourceStream(ManifestFileName)
            ?? throw new InvalidOperationException($"{ManifestFileName} is not embedded in {typeof(KitWriter).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The wrapper script: runs <paramref name="program"/> (this program: its native executable, or dotnet and
    /// its dll) with <paramref name="settingsPath"/> as its settings.</summary>
    public static string Wrapper(string settingsPath, IReadOnlyList<string> program) =>
        $"""
        #!/bin/sh
        # The Famiglia kit's hooks, written by famiglia-kit-hooks write-wrapper (src/Famiglia.Kit).
        # aegisd runs this file as '<hooks> <hook-name>' with a clean environment.
        export {KitSettings.EnvironmentVariable}={Quote(settingsPath)}
        exec {string.Join(' ', program.Select(Quote))} "$@"

        """;

    /// <summary>Writes the wrapper to <paramref name="file"/> (mode 0755), replacing it atomically.</summary>
    public static void WriteWrapper(string settingsPath, string file)
    {
        var target = Path.GetFullPath(file);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var staging = target + ".new";
        File.WriteAllText(staging, Wrapper(settingsPath, ProgramCommand()), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(staging, Executable);
        }

        File.Move(staging, target, overwrite: true);
    }

    /// <summary>Writes <c>DIR/aegis-kit.yaml</c> and <c>DIR/hooks</c>.</summary>
    public static void WriteKit(string settingsPath, string directory)
    {
        var target = Directory.CreateDirectory(Path.GetFullPath(directory)).FullName;
        File.WriteAllText(Path.Combine(target, ManifestFileName), Manifest(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        WriteWrapper(settingsPath, Path.Combine(target, HooksFileName));
    }

    /// <summary>
    /// How to run this program again: its own executable when it is a NativeAOT build (src/Famiglia.Kit/publish-native:
    /// a hook then starts in a few ms instead of a runtime start and JIT per boot), else dotnet and its dll.
    /// </summary>
    private static string[] ProgramCommand() =>
        !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported && Environment.ProcessPath is { } native
            ? [native]
            : [DotnetHost(), ProgramDll()];

    /// <summary>The dotnet host running this program, so the hooks do not depend on aegisd's PATH; else <c>dotnet</c>.</summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return process;
        }

        return Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet"))
            ? Path.Combine(root, "dotnet")
            : "dotnet";
    }

    private static string ProgramDll()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, typeof(KitWriter).Assembly.GetName().Name + ".dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} does not exist: run write-wrapper from the built famiglia-kit-hooks");
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
