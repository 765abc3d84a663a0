namespace Aegis.Cli.Tests.Commands;

public class RunCommandTests
{
    [Fact]
    public async Task Run_prints_the_task_output_and_exits_with_its_exit_code()
    {
        await using var daemon = await AegisdProcess.StartAsync();

        var result = await daemon.RunCliAsync("run", "--", "sh", "-c", "echo hi; exit 3");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("hi\n", result.Stdout);
    }

    [Fact]
    public async Task Run_passes_env_to_the_task()
    {
        await using var daemon = await AegisdProcess.StartAsync();

        var result = await daemon.RunCliAsync("run", "--env", "GREETING=hello there", "--", "sh", "-c", "echo \"$GREETING\"");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hello there\n", result.Stdout);
    }

    [Fact]
    public async Task Run_without_a_command_or_with_a_bad_env_is_a_usage_error()
    {
        var missing = await CliResult.RunAsync("run", "--url", "http://127.0.0.1:1");
        var badEnv = await CliResult.RunAsync("run", "--env", "NOEQUALS", "--url", "http://127.0.0.1:1", "--", "true");

        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("command", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, badEnv.ExitCode);
        Assert.Contains("--env 'NOEQUALS' is not K=V", badEnv.Stderr, StringComparison.Ordinal);
    }
}
