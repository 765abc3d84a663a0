using System.Text.Json;
using Famiglia.TestKit;

namespace Aegis.Cli.Tests.Commands;

public class KitCommandTests
{
    [Fact]
    public async Task Kit_install_of_a_directory_then_kit_list_json_shows_it_with_its_hooks()
    {
        await using var daemon = await AegisdProcess.StartAsync();
        using var kit = TempDirectory.Create("aegis-cli-kit");
        await File.WriteAllTextAsync(kit.Combine("aegis-kit.yaml"), Manifests.Minimal("clikit"));
        await File.WriteAllTextAsync(kit.Combine("hooks"), "#!/bin/sh\ncat >/dev/null\necho '{}'\n");
        File.SetUnixFileMode(kit.Combine("hooks"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var install = await daemon.RunCliAsync("kit", "install", kit.Path);
        var list = await daemon.RunCliAsync("kit", "list", "--json");

        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Equal("installed kit clikit 1.0.0 with hooks\n", install.Stdout);
        Assert.True(list.ExitCode == 0, list.ToString());
        var listed = Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray());
        Assert.Equal("clikit", listed.GetProperty("name").GetString());
        Assert.True(listed.GetProperty("hasHooks").GetBoolean());
    }

    [Fact]
    public async Task Kit_install_of_a_malformed_manifest_prints_the_key_path_and_exits_1()
    {
        await using var daemon = await AegisdProcess.StartAsync();
        using var kit = TempDirectory.Create("aegis-cli-badkit");
        await File.WriteAllTextAsync(kit.Combine("aegis-kit.yaml"), Manifests.Malformed);

        var result = await daemon.RunCliAsync("kit", "install", kit.Path);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.StartsWith("error: Invalid kit manifest: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("resources.memory", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("(field: manifest)", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Kit_info_of_an_unknown_kit_exits_1_with_the_problem()
    {
        await using var daemon = await AegisdProcess.StartAsync();

        var result = await daemon.RunCliAsync("kit", "info", "nosuchkit");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("nosuchkit", result.Stderr, StringComparison.Ordinal);
    }
}
