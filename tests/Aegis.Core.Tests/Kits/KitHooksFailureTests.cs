using System.Globalization;
using System.Text.Json;
using Aegis.Core.Kits;

namespace Aegis.Core.Tests.Kits;

public sealed class KitHooksFailureTests : IDisposable
{
    private static readonly KitCanvas Canvas = new() { AppId = "app-42", Name = "standup-bot" };
    private static readonly Dictionary<string, string> NoSecrets = [];
    private static readonly Dictionary<string, string> NoEnv = [];

    private readonly HookScripts _scripts = new();

    [Fact]
    public async Task A_hook_that_outlives_its_timeout_is_killed_with_its_children()
    {
        var executable = _scripts.Write("""
            echo $$ > hook.pid
            sleep 30 &
            echo $! > child.pid
            wait
            """);
        var hooks = new KitHooks(new KitHooksOptions { Executable = executable, Timeout = TimeSpan.FromSeconds(1) });

        var error = await Assert.ThrowsAsync<KitHookException>(() => hooks.RenderEnvAsync(Canvas, NoSecrets, NoEnv));

        Assert.Equal(KitHookFailure.TimedOut, error.Failure);
        Assert.Equal(KitHookName.RenderEnv, error.HookName);
        Assert.StartsWith($"Kit hook render_env ({executable}) timed out after 1s and was killed", error.Message, StringComparison.Ordinal);
        Assert.True(await ProcessExits(ReadPid("hook.pid")), "the hook process is still running");
        Assert.True(await ProcessExits(ReadPid("child.pid")), "the hook's child process is still running");
    }

    [Fact]
    public async Task Cancelling_the_call_kills_the_hook_and_throws_OperationCanceledException()
    {
        var hooks = new KitHooks(new KitHooksOptions
        {
            Executable = _scripts.Write("echo $$ > hook.pid.tmp && mv hook.pid.tmp hook.pid; exec sleep 30"),
            Timeout = TimeSpan.FromMinutes(5),
        });
        using var cancellation = new CancellationTokenSource();

        var call = hooks.OnPublishAsync(Canvas, "rel-1", [], cancellation.Token);
        while (!File.Exists(Path.Combine(_scripts.Directory, "hook.pid")))
        {
            await Task.Delay(20);
        }

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(await ProcessExits(ReadPid("hook.pid")), "the hook process is still running");
    }

    [Fact]
    public async Task A_non_zero_exit_fails_with_the_exit_code_and_the_last_stderr_lines()
    {
        var executable = _scripts.Write("""
            cat > /dev/null
            for i in 1 2 3 4 5 6 7; do echo "progress line $i" >&2; done
            echo 'boom: cannot reach famiglia-web:3000' >&2
            exit 3
            """);
        var hooks = new KitHooks(new KitHooksOptions { Executable = executable });

        var error = await Assert.ThrowsAsync<KitHookException>(() => hooks.ValidateConfigAsync(JsonDocument.Parse("{}").RootElement));

        Assert.Equal(KitHookFailure.NonZeroExit, error.Failure);
        Assert.Equal(3, error.ExitCode);
        Assert.StartsWith($"Kit hook validate_config ({executable}) exited with code 3. Last stderr lines:", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("boom: cannot reach famiglia-web:3000", error.Message, StringComparison.Ordinal);
        Assert.Equal(["progress line 4", "progress line 5", "progress line 6", "progress line 7", "boom: cannot reach famiglia-web:3000"], error.StderrTail);
        Assert.DoesNotContain("progress line 3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo 'not json'", "returned an invalid response: stdout is not JSON (line 1, byte ")]
    [InlineData("true", "returned an invalid response: stdout is empty; expected a JSON object")]
    [InlineData("echo '[1]'", "returned an invalid response: expected a JSON object, found a list")]
    [InlineData("""echo '{"environment":{}}'""", "returned an invalid response: the response has no \"env\" field")]
    [InlineData("""echo '{"env":["A=1"]}'""", "returned an invalid response: \"env\" must be an object of strings, found a list")]
    [InlineData("""echo '{"env":{"PORT":80}}'""", "returned an invalid response: env.PORT must be a string, found a number")]
    public async Task A_response_that_breaks_the_contract_fails_with_what_is_wrong(string respond, string expected)
    {
        var executable = _scripts.Write($"cat > /dev/null\n{respond}");
        var hooks = new KitHooks(new KitHooksOptions { Executable = executable });

        var error = await Assert.ThrowsAsync<KitHookException>(() => hooks.RenderEnvAsync(Canvas, NoSecrets, NoEnv));

        Assert.Equal(KitHookFailure.InvalidResponse, error.Failure);
        Assert.StartsWith($"Kit hook render_env ({executable}) {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_validate_config_response_without_ok_is_invalid()
    {
        var hooks = new KitHooks(new KitHooksOptions { Executable = _scripts.Write("""cat > /dev/null; echo '{"errors":[]}'""") });

        var error = await Assert.ThrowsAsync<KitHookException>(() => hooks.ValidateConfigAsync(JsonDocument.Parse("{}").RootElement));

        Assert.Equal(KitHookFailure.InvalidResponse, error.Failure);
        Assert.Contains("the response has no \"ok\" field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_past_the_size_limit_is_invalid()
    {
        var hooks = new KitHooks(new KitHooksOptions
        {
            Executable = _scripts.Write("""cat > /dev/null; echo '{"env":{"A":"0123456789012345678901234567890123456789"}}'"""),
            MaxResponseBytes = 16,
        });

        var error = await Assert.ThrowsAsync<KitHookException>(() => hooks.RenderEnvAsync(Canvas, NoSecrets, NoEnv));

        Assert.Equal(KitHookFailure.InvalidResponse, error.Failure);
        Assert.Contains("stdout is larger than 16 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_hooks_executable_fails_clearly_without_running_anything()
    {
        var executable = Path.Combine(_scripts.Directory, "no-such-hooks");
        var hooks = new KitHooks(new KitHooksOptions { Executable = executable });

        var error = await Assert.ThrowsAsync<KitHookException>(() => hooks.OnPublishAsync(Canvas, "rel-1", []));

        Assert.Equal(KitHookFailure.ExecutableMissing, error.Failure);
        Assert.Equal($"Kit hook on_publish ({executable}) cannot run: the hooks executable does not exist.", error.Message);
    }

    [Fact]
    public async Task A_hooks_file_without_the_execute_bit_fails_clearly()
    {
        var executable = _scripts.Write("echo '{}'", executable: false);
        var hooks = new KitHooks(new KitHooksOptions { Executable = executable });

        var error = await Assert.ThrowsAsync<KitHookException>(() => hooks.OnPublishAsync(Canvas, "rel-1", []));

        Assert.Equal(KitHookFailure.StartFailed, error.Failure);
        Assert.Contains("is not executable (chmod +x it)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cat >&2; exit 1", KitHookFailure.NonZeroExit)]
    [InlineData("sed 's/\\\\n/\\n/g' >&2; exit 1", KitHookFailure.NonZeroExit)]
    [InlineData("printf 'x'; cat", KitHookFailure.InvalidResponse)]
    [InlineData("tee /dev/stderr | sed 's/^/x/'", KitHookFailure.InvalidResponse)]
    [InlineData("cat >&2; sleep 30", KitHookFailure.TimedOut)]
    public async Task Secret_values_never_reach_the_exception_or_the_logs_even_when_the_hook_echoes_its_request(string body, KitHookFailure failure)
    {
        var secrets = new Dictionary<string, string>
        {
            ["XMPP_PASSWORD"] = "hunter2-\"quoted\"+plus<tag>",
            ["FAMIGLIA_API_KEY"] = "fam_live_9f8e7d6c5b4a",
            ["TLS_KEY"] = "-----BEGIN KEY-----\nfirst-secret-key-line\nsecond-secret-key-line\n-----END KEY-----",
        };
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        var hooks = new KitHooks(new KitHooksOptions { Executable = _scripts.Write(body), Timeout = TimeSpan.FromSeconds(2) }, factory);

        var error = await Assert.ThrowsAsync<KitHookException>(() => hooks.RenderEnvAsync(Canvas, secrets, new Dictionary<string, string> { ["MODE"] = "serve" }));

        Assert.Equal(failure, error.Failure);
        string[] fragments = ["hunter2", "fam_live_9f8e7d6c5b4a", "first-secret-key-line", "second-secret-key-line"];
        foreach (var fragment in fragments)
        {
            Assert.DoesNotContain(fragment, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(fragment, logs.All, StringComparison.Ordinal);
        }

        if (failure != KitHookFailure.InvalidResponse || body.Contains("tee", StringComparison.Ordinal))
        {
            // The hook's echo did reach the log, masked: the request's non-secret parts are still there.
            Assert.Contains("\"XMPP_PASSWORD\":\"***\"", logs.All, StringComparison.Ordinal);
            Assert.Contains("\"MODE\":\"serve\"", logs.All, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _scripts.Dispose();

    private int ReadPid(string file) => int.Parse(_scripts.ReadFile(file).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Waits until the process is gone (or a zombie nobody reaped, which no longer runs).</summary>
    private static async Task<bool> ProcessExits(int pid)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            if (!IsRunning(pid))
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
