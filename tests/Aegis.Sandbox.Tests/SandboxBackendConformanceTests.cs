using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using Aegis.Sandbox;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests;

/// <summary>
/// What every backend must do, against real sandboxes. A backend's test class derives from this and supplies
/// <see cref="SandboxTestBase.CreateBackend"/>; the guest needs /bin/sh, coreutils and python3.
/// </summary>
public abstract class SandboxBackendConformanceTests(ITestOutputHelper output) : SandboxTestBase(output)
{
    [Fact]
    public async Task Probe_OnThisHost_ReportsAvailable()
    {
        var probe = await Backend.ProbeAsync();

        Assert.True(probe.Available, string.Join("; ", probe.Problems));
    }

    [Fact]
    public async Task Runs_a_command_captures_its_output_and_reports_the_exit_code()
    {
        var sandbox = await StartAsync(ShellSpec("echo hello-from-sandbox; echo oops-on-stderr >&2; exit 7"));

        var exit = await ExitedAsync(sandbox);

        Assert.Equal(7, exit.ExitCode);
        Assert.Equal(SandboxExitReason.Exited, exit.Reason);
        Assert.Equal(SandboxState.Terminated, sandbox.State);
        var log = ReadLog(sandbox);
        Assert.Contains("hello-from-sandbox", log);
        Assert.Contains("oops-on-stderr", log);
    }

    [Fact]
    public async Task The_hosts_root_home_is_invisible()
    {
        var marker = $"/root/aegis-test-marker-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync(marker, "host secret");
        try
        {
            var sandbox = await StartAsync(ShellSpec(
                $"if [ -e {marker} ]; then echo MARKER-VISIBLE; else echo MARKER-INVISIBLE; fi; " +
                // /usr is the host's own, bound read-only by design; scanning it only made the test slow under load.
                "find / \\( -path /proc -o -path /sys -o -path /usr \\) -prune -o -name 'aegis-test-marker-*' -print 2>/dev/null; " +
                "cat /root/* 2>/dev/null; echo scan-done"));

            await ExitedAsync(sandbox);

            var log = ReadLog(sandbox);
            Assert.Contains("MARKER-INVISIBLE", log);
            Assert.Contains("scan-done", log);
            Assert.DoesNotContain("aegis-test-marker-", log);
            Assert.DoesNotContain("host secret", log);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task Another_sandboxs_workspace_and_processes_are_invisible()
    {
        var otherWorkspace = NewWorkspace();
        await File.WriteAllTextAsync(Path.Combine(otherWorkspace, "other-secret.txt"), "other tenant data");
        var other = await StartAsync(ShellSpec("exec sleep 600", otherWorkspace));

        var sandbox = await StartAsync(ShellSpec(
            // The needles are assembled at run time so this script's own command line (listed below) does not match.
            "a=other; find / \\( -path /proc -o -path /sys -o -path /usr \\) -prune -o -name \"$a-secret*\" -print 2>/dev/null; " +
            "grep -rs \"$a tenant\" / --exclude-dir=proc --exclude-dir=sys --exclude-dir=usr; " +
            "for p in /proc/[0-9]*; do cat $p/cmdline 2>/dev/null | tr '\\0' ' '; echo; done; echo scan-done"));
        await ExitedAsync(sandbox);

        var log = ReadLog(sandbox);
        Assert.Contains("scan-done", log);
        Assert.DoesNotContain("other-secret", log);
        Assert.DoesNotContain("other tenant", log);
        Assert.DoesNotContain("sleep 600", log);
        Assert.Equal(SandboxState.Running, other.State);
    }

    [Fact]
    public async Task Sees_only_its_own_processes()
    {
        var hostInit = (await File.ReadAllTextAsync("/proc/1/cmdline")).Replace('\0', ' ').Trim();
        var sandbox = await StartAsync(ShellSpec(
            "echo count=$(ls /proc | grep -c '^[0-9][0-9]*$'); echo \"init=$(tr '\\0' ' ' < /proc/1/cmdline)\""));

        await ExitedAsync(sandbox);

        var lines = ReadLog(sandbox).Split('\n');
        var count = int.Parse(lines.Single(l => l.StartsWith("count=", StringComparison.Ordinal))["count=".Length..]);
        var init = lines.Single(l => l.StartsWith("init=", StringComparison.Ordinal))["init=".Length..].Trim();
        Assert.InRange(count, 1, 10);
        Assert.NotEqual(hostInit, init);
    }

    [Fact]
    public async Task Env_from_the_spec_is_visible_inside_and_never_on_a_host_command_line()
    {
        var secret = "s3cret-" + Guid.NewGuid().ToString("N");
        var spec = ShellSpec("echo \"token=$AEGIS_TEST_TOKEN plain=$PLAIN_VALUE\"; exec sleep 600") with
        {
            Environment = new Dictionary<string, string> { ["AEGIS_TEST_TOKEN"] = secret, ["PLAIN_VALUE"] = "visible" },
        };
        var sandbox = await StartAsync(spec);

        await WaitUntilAsync(() => ReadLog(sandbox).Contains("plain=visible"), "the env echo");

        Assert.Contains($"token={secret} plain=visible", ReadLog(sandbox));
        foreach (var directory in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            string cmdline;
            try
            {
                cmdline = await File.ReadAllTextAsync(Path.Combine(directory, "cmdline"));
            }
            catch (IOException)
            {
                continue;
            }

            Assert.DoesNotContain(secret, cmdline);
        }
    }

    [Fact]
    public async Task Host_reaches_port_80_inside_and_another_sandbox_cannot()
    {
        var workspace = NewWorkspace();
        var page = "served-" + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(Path.Combine(workspace, "index.txt"), page);
        var server = await StartAsync(ShellSpec("exec python3 -m http.server 80 --bind 0.0.0.0 --directory /workspace", workspace));

        // Only the sandbox's own address is contacted; no proxy from the environment may redirect it.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) });
        var url = $"http://{server.Endpoint}/index.txt";
        string? body = null;
        await WaitUntilAsync(
            async () =>
            {
                try
                {
                    body = await http.GetStringAsync(url);
                    return true;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "the server inside the sandbox");
        Assert.Equal(page, body);

        var probe = ShellSpec(
            "python3 -c \"import socket,sys\ns=socket.socket(); s.settimeout(3)\ntry:\n s.connect((sys.argv[1], 80)); print('CONNECTED')\nexcept OSError as e:\n print('BLOCKED', e)\" "
            + server.Endpoint.Address) with
        {
            Network = new SandboxNetwork(SandboxEgress.Allow),
        };
        var intruder = await StartAsync(probe);
        await ExitedAsync(intruder);

        var log = ReadLog(intruder);
        Assert.Contains("BLOCKED", log);
        Assert.DoesNotContain("CONNECTED", log);
        Assert.Equal(page, await http.GetStringAsync(url));
    }

    [Fact]
    public async Task An_internal_host_resolves_by_name_and_only_its_declared_port_is_reachable()
    {
        using var service = new TcpListener(IPAddress.Loopback, 0);
        using var undeclared = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        undeclared.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        var otherPort = ((IPEndPoint)undeclared.LocalEndpoint).Port;
        var answer = "pong-" + Guid.NewGuid().ToString("N");
        var workspace = NewWorkspace();
        await File.WriteAllTextAsync(Path.Combine(workspace, "probe.py"), $$"""
            import socket
            s = socket.create_connection(("testsvc", {{port}}), timeout=10)
            s.sendall(b"ping\n")
            print("GOT", s.makefile().readline().strip(), flush=True)
            try:
                socket.create_connection(("testsvc", {{otherPort}}), timeout=5)
                print("UNDECLARED-CONNECTED", flush=True)
            except OSError as e:
                print("UNDECLARED-REFUSED", e, flush=True)
            """);
        var spec = ShellSpec("python3 /workspace/probe.py", workspace) with
        {
            InternalHosts = [new InternalHost("testsvc", port, new IPEndPoint(IPAddress.Loopback, port))],
        };
        var sandbox = await StartAsync(spec);

        using (var client = await service.AcceptTcpClientAsync().WaitAsync(HangGuard))
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            Assert.Equal("ping", await reader.ReadLineAsync().WaitAsync(HangGuard));
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer + "\n"));
            await ExitedAsync(sandbox);
        }

        var log = ReadLog(sandbox);
        Assert.Contains($"GOT {answer}", log);
        Assert.Contains("UNDECLARED-REFUSED", log);
        Assert.DoesNotContain("UNDECLARED-CONNECTED", log);
        Assert.False(undeclared.Pending());
    }

    [Fact]
    public async Task A_guest_on_the_control_channel_answers_health_logs_and_shuts_down_by_itself()
    {
        var marker = "guest-up-" + Guid.NewGuid().ToString("N");
        var workspace = NewWorkspace();
        await File.WriteAllTextAsync(Path.Combine(workspace, "guest.py"), $$"""
            import json, socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.connect("/run/aegis/control.sock")
            f = s.makefile("rw")
            def send(m):
                f.write(json.dumps(m) + "\n")
                f.flush()
            send({"type": "log", "level": "info", "message": "{{marker}}"})
            for line in f:
                m = json.loads(line)
                if m["type"] == "health":
                    send({"type": "health", "ok": True, "detail": "all good"})
                elif m["type"] == "shutdown":
                    print("shutdown-requested grace", m["graceSeconds"], flush=True)
                    sys.exit(0)
            """);
        var sandbox = await StartAsync(ShellSpec("exec python3 /workspace/guest.py", workspace));
        var silent = await StartAsync(ShellSpec("exec sleep 600"));

        await WaitUntilAsync(() => sandbox.ControlConnected, "the guest to connect");
        var health = await sandbox.QueryHealthAsync(HangGuard).WaitAsync(HangGuard);
        await WaitUntilAsync(() => ReadLog(sandbox).Contains(marker), "the guest's log message");
        var exit = await sandbox.TerminateAsync(HangGuard).WaitAsync(HangGuard);

        Assert.Equal(new SandboxHealth(true, "all good"), health);
        Assert.Equal(0, exit.ExitCode);
        Assert.Equal(SandboxExitReason.Exited, exit.Reason);
        Assert.Contains($"shutdown-requested grace {(int)HangGuard.TotalSeconds}", ReadLog(sandbox));
        Assert.False(sandbox.ControlConnected);
        Assert.False(silent.ControlConnected);
        Assert.Null(await silent.QueryHealthAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_memory_bomb_is_oom_killed_and_the_host_is_fine()
    {
        var spec = ShellSpec("python3 -c \"a=[]\nwhile True: a.append(bytearray(10**7))\"; echo survived-oom; exec sleep 600") with
        {
            Resources = new SandboxResources(MemoryBytes: 64L * 1024 * 1024),
        };
        var sandbox = await StartAsync(spec);

        var exit = await ExitedAsync(sandbox);

        Assert.Equal(SandboxExitReason.OomKilled, exit.Reason);
        Assert.Equal("oom-killed", exit.ReasonCode);
        Assert.NotEqual(0, exit.ExitCode);
        Assert.Equal(SandboxState.Terminated, sandbox.State);

        // The host side is unharmed: this process still allocates and the next sandbox runs normally.
        GC.KeepAlive(new byte[64 * 1024 * 1024]);
        var next = await StartAsync(ShellSpec("echo after-oom"));
        Assert.Equal(0, (await ExitedAsync(next)).ExitCode);
    }

    [Fact]
    public async Task A_fork_bomb_hits_the_pids_limit_and_the_sandbox_can_still_be_terminated()
    {
        var spec = ShellSpec("(i=0; while [ $i -lt 200 ]; do sleep 600 & i=$((i+1)); done) 2>&1; echo loop-done; exec sleep 600") with
        {
            Resources = new SandboxResources(PidsLimit: 32),
        };
        var sandbox = await StartAsync(spec);

        await WaitUntilAsync(() => ReadLog(sandbox).Contains("loop-done"), "the fork loop to finish");
        Assert.Contains("fork", ReadLog(sandbox), StringComparison.OrdinalIgnoreCase);

        var exit = await sandbox.TerminateAsync(TimeSpan.FromSeconds(1)).WaitAsync(HangGuard);
        Assert.Equal(SandboxExitReason.Terminated, exit.Reason);
        Assert.False(Directory.Exists($"/proc/{sandbox.Pid}"));
    }

    [Fact]
    public async Task Pause_stops_a_counter_and_resume_lets_it_continue()
    {
        // The counter is read from the log, which every backend streams live (the qemu backend's workspace reaches
        // the host only when the sandbox ends).
        var sandbox = await StartAsync(ShellSpec("i=0; while true; do i=$((i+1)); echo count=$i; sleep 0.05; done"));
        long Read() => ReadLog(sandbox).Split('\n').Where(l => l.StartsWith("count=", StringComparison.Ordinal))
            .Select(l => long.TryParse(l["count=".Length..], out var value) ? value : 0).DefaultIfEmpty(0).Max();
        await WaitUntilAsync(() => Read() > 3, "the counter to start");

        await sandbox.PauseAsync();
        Assert.Equal(SandboxState.Paused, sandbox.State);

        // Output written just before the freeze may still be on its way to the log.
        await Task.Delay(300);
        var paused = Read();
        await Task.Delay(500);
        Assert.Equal(paused, Read());

        await sandbox.ResumeAsync();
        Assert.Equal(SandboxState.Running, sandbox.State);
        await WaitUntilAsync(() => Read() > paused, "the counter to grow again");
    }

    [Fact]
    public async Task Usage_is_reported_while_running_and_paused_with_the_specs_limits_and_not_once_ended()
    {
        var resources = new SandboxResources(MemoryBytes: 192L * 1024 * 1024, CpuCores: 1m, PidsLimit: 48);
        var sandbox = await StartAsync(ShellSpec("echo started; exec sleep 600") with { Resources = resources });
        var finished = await StartAsync(ShellSpec("echo done"));
        await WaitUntilAsync(() => ReadLog(sandbox).Contains("started"), "the sandbox to start");

        var running = sandbox.ReadUsage();
        await sandbox.PauseAsync();
        var paused = sandbox.ReadUsage();
        await sandbox.TerminateAsync(TimeSpan.FromSeconds(1)).WaitAsync(HangGuard);
        await ExitedAsync(finished);

        Assert.NotNull(running);
        Assert.True(running.MemoryBytes > 0, $"memory {running.MemoryBytes}");
        Assert.True(running.MemoryPeakBytes is null || running.MemoryPeakBytes >= running.MemoryBytes, $"peak {running.MemoryPeakBytes}");
        Assert.True(running.CpuTime > TimeSpan.Zero, $"cpu time {running.CpuTime}");
        Assert.True(running.Processes is null || running.Processes >= 1, $"processes {running.Processes}");
        Assert.Equal(resources, running.Limits);
        Assert.NotNull(paused);
        Assert.True(paused.MemoryBytes > 0, $"paused memory {paused.MemoryBytes}");
        Assert.Null(sandbox.ReadUsage());
        Assert.Null(finished.ReadUsage());
    }

    [Fact]
    public async Task Terminate_sends_SIGTERM_first_and_the_process_may_exit_cleanly()
    {
        var sandbox = await StartAsync(ShellSpec("trap 'echo got-term; exit 3' TERM; echo ready; while true; do sleep 0.1; done"));
        await WaitUntilAsync(() => ReadLog(sandbox).Contains("ready"), "the trap to be installed");

        var exit = await sandbox.TerminateAsync(HangGuard).WaitAsync(HangGuard);

        Assert.Equal(3, exit.ExitCode);
        Assert.Equal(SandboxExitReason.Terminated, exit.Reason);
        Assert.Contains("got-term", ReadLog(sandbox));
    }

    [Fact]
    public async Task Terminate_kills_a_sandbox_that_ignores_SIGTERM_and_a_paused_one()
    {
        var stubborn = await StartAsync(ShellSpec("trap '' TERM; echo ready; while true; do sleep 0.1; done"));
        var paused = await StartAsync(ShellSpec("exec sleep 600"));
        await WaitUntilAsync(() => ReadLog(stubborn).Contains("ready"), "the trap to be installed");
        await paused.PauseAsync();

        var stubbornExit = await stubborn.TerminateAsync(TimeSpan.FromMilliseconds(300)).WaitAsync(HangGuard);
        var pausedExit = await paused.TerminateAsync(TimeSpan.FromSeconds(5)).WaitAsync(HangGuard);

        Assert.Equal(SandboxExitReason.Terminated, stubbornExit.Reason);
        Assert.Equal(SandboxExitReason.Terminated, pausedExit.Reason);
        Assert.Equal(SandboxState.Terminated, stubborn.State);
        Assert.Equal(SandboxState.Terminated, paused.State);
    }
}
