using System.Diagnostics;
using Famiglia.TestKit;

namespace Famiglia.Kit.Tests;

public sealed class KitWriterTests
{
    [Fact]
    public async Task Write_kit_writes_the_manifest_and_an_executable_hooks_wrapper_ready_for_aegis_kit_install()
    {
        using var directory = TempDirectory.Create("kit-writer");
        var settings = await WriteSettingsAsync(directory);
        var kit = directory.Combine("kit");

        var (exitCode, _, error) = await HookProgram.RunAsync(["write-kit", "--settings", settings, "--out", kit]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(["aegis-kit.yaml", "hooks"], Directory.GetFiles(kit).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(
            await File.ReadAllTextAsync(RepositoryPaths.Combine("src", "Famiglia.Kit", "aegis-kit.yaml")),
            await File.ReadAllTextAsync(Path.Combine(kit, "aegis-kit.yaml")));
        var hooks = Path.Combine(kit, "hooks");
        Assert.True((File.GetUnixFileMode(hooks) & UnixFileMode.UserExecute) != 0);
        var script = await File.ReadAllTextAsync(hooks);
        Assert.StartsWith("#!/bin/sh\n", script);
        Assert.Contains($"export FAMIGLIA_KIT_SETTINGS='{settings}'\n", script);
        Assert.Contains($" '{HookProgram.Dll}' \"$@\"\n", script);
    }

    [Fact]
    public async Task The_wrapper_works_when_copied_elsewhere_with_an_empty_environment_as_aegisd_stores_and_runs_it()
    {
        using var directory = TempDirectory.Create("kit-copy");
        var settings = await WriteSettingsAsync(directory);
        var wrapper = directory.Combine("written", "hooks");
        Assert.Equal(0, (await HookProgram.RunAsync(["write-wrapper", "--settings", settings, "--out", wrapper])).ExitCode);
        var stored = directory.Combine("aegisd-data", "kits", "famiglia", "hooks");
        Directory.CreateDirectory(Path.GetDirectoryName(stored)!);
        File.Copy(wrapper, stored);

        var info = new ProcessStartInfo(stored, ["validate_config"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(stored)!,
        };
        info.Environment.Clear();
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync("""{"canvas_config": []}""");
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, error);
        Assert.Equal("""{"ok":false,"errors":["config must be a JSON object with name, slug, groupId, groupSlug, roomId and roomSlug"]}""", output);
    }

    [Fact]
    public async Task The_native_build_writes_a_wrapper_that_runs_itself_and_its_hooks_answer_the_same()
    {
        using var directory = TempDirectory.Create("kit-native");
        var settings = await WriteSettingsAsync(directory);
        var native = await NativeKitHooks.ExecutableAsync();
        var kit = directory.Combine("kit");

        var (exitCode, _, error) = await ServiceProcess.RunProgramToEndAsync(native, "write-kit", "--settings", settings, "--out", kit);

        Assert.True(exitCode == 0, error);
        var script = await File.ReadAllTextAsync(Path.Combine(kit, "hooks"));
        Assert.Contains($"exec '{native}' \"$@\"\n", script);
        Assert.DoesNotContain("dotnet", script);

        // The same hook, through the native wrapper and through the dll with the same settings: the same answer.
        const string request = """{"canvas_config": {"name": "x"}}""";
        var viaWrapper = await RunAsync(Path.Combine(kit, "hooks"), ["validate_config"], request, settings);
        var viaDll = await RunAsync("dotnet", [HookProgram.Dll, "validate_config"], request, settings);
        Assert.Equal(0, viaWrapper.ExitCode);
        Assert.StartsWith("""{"ok":false,"errors":[""", viaWrapper.Output, StringComparison.Ordinal);
        Assert.Equal(viaDll, viaWrapper);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string input, string settings)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["FAMIGLIA_KIT_SETTINGS"] = settings;
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    [Fact]
    public async Task The_settings_path_must_be_absolute()
    {
        using var directory = TempDirectory.Create("kit-relative");

        var (exitCode, _, error) = await HookProgram.RunAsync(["write-wrapper", "--settings", "famiglia-kit.json", "--out", directory.Combine("hooks")]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--settings must be an absolute path", error);
        Assert.False(File.Exists(directory.Combine("hooks")));
    }

    [Fact]
    public async Task A_kit_is_not_written_for_settings_that_every_hook_would_reject()
    {
        using var directory = TempDirectory.Create("kit-invalid");
        var settings = directory.Combine("settings.json");
        await File.WriteAllTextAsync(settings, """{"xmppHost": "dev1.localhost"}""");

        var (exitCode, _, error) = await HookProgram.RunAsync(["write-kit", "--settings", settings, "--out", directory.Combine("kit")]);

        Assert.Equal(3, exitCode);
        Assert.Contains("famigliaWebUrl is missing", error);
        Assert.False(Directory.Exists(directory.Combine("kit")));
    }

    [Theory]
    [InlineData]
    [InlineData("render_env", "extra")]
    [InlineData("write-kit", "--out")]
    [InlineData("deploy")]
    public async Task Bad_command_lines_exit_2_with_the_usage(params string[] arguments)
    {
        var (exitCode, output, error) = await HookProgram.RunAsync(arguments);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("usage:", error);
    }

    private static async Task<string> WriteSettingsAsync(TempDirectory directory)
    {
        var settings = directory.Combine("famiglia-kit.json");
        await File.WriteAllTextAsync(settings, KitWorld.Settings(new Uri("http://127.0.0.1:1"), "/nonexistent/kit-token"));
        return settings;
    }
}
