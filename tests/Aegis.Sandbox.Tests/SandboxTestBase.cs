using Aegis.Sandbox;
using Famiglia.TestKit;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests;

/// <summary>
/// Real sandboxes in a temp dir: every sandbox a test starts is terminated and every directory removed when the
/// test ends, also when it failed. Derived classes pick the backend.
/// </summary>
public abstract class SandboxTestBase : IAsyncLifetime
{
    /// <summary>Generous: only there so a broken sandbox fails the test instead of hanging the run.</summary>
    protected static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private readonly List<ISandbox> _sandboxes = [];
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("aegis-sandbox-test-");
    private ISandboxBackend? _backend;

    protected SandboxTestBase(ITestOutputHelper output)
    {
        LoggerFactory = XunitLoggerFactory.Create(output);
    }

    protected ILoggerFactory LoggerFactory { get; }

    /// <summary>The test's temp directory, removed when it ends; the backend's state is in <c>state/</c> below it.</summary>
    protected string Root => _root.FullName;

    protected ISandboxBackend Backend => _backend ??= CreateBackend(Path.Combine(_root.FullName, "state"), LoggerFactory);

    /// <summary>The backend under test, keeping its own files (logs, runtime state) below <paramref name="stateDirectory"/>.</summary>
    protected abstract ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var sandbox in _sandboxes)
        {
            await sandbox.TerminateAsync(TimeSpan.Zero).WaitAsync(HangGuard);
        }

        _root.Delete(recursive: true);
        LoggerFactory.Dispose();
    }

    protected string NewWorkspace()
    {
        var workspace = Path.Combine(_root.FullName, "ws-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(workspace);
        return workspace;
    }

    /// <summary>A spec running <paramref name="script"/> with /bin/sh in a fresh workspace.</summary>
    protected SandboxSpec ShellSpec(string script, string? workspace = null) =>
        new("t" + Guid.NewGuid().ToString("N")[..12], "app-test", "/bin/sh", workspace ?? NewWorkspace())
        {
            Arguments = ["-c", script],
        };

    protected async Task<ISandbox> StartAsync(SandboxSpec spec)
    {
        ISandbox sandbox;
        try
        {
            sandbox = await Backend.StartAsync(spec).WaitAsync(HangGuard);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Sandbox {spec.InstanceId} had not started after {HangGuard.TotalSeconds:0} s");
        }

        _sandboxes.Add(sandbox);
        return sandbox;
    }

    /// <summary>Terminates <paramref name="sandbox"/> at the end of the test like the ones <see cref="StartAsync"/> started.</summary>
    protected void Track(ISandbox sandbox) => _sandboxes.Add(sandbox);

    /// <summary>The sandbox's exit; past the hang guard a failure that says so and shows what the sandbox printed.</summary>
    protected static async Task<SandboxExit> ExitedAsync(ISandbox sandbox)
    {
        try
        {
            return await sandbox.Exited.WaitAsync(HangGuard);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"Sandbox {sandbox.Id} had not exited after {HangGuard.TotalSeconds:0} s (state {sandbox.State}); its log so far:\n{ReadLog(sandbox)}");
        }
    }

    protected static string ReadLog(ISandbox sandbox) =>
        File.Exists(sandbox.LogPath) ? File.ReadAllText(sandbox.LogPath) : "";

    /// <summary>Polls until <paramref name="condition"/> holds; fails after the hang guard.</summary>
    protected static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
