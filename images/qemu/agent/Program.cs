using Aegis.GuestAgent;

// pid 1 of a qemu sandbox (see images/qemu/README.md): prepares the guest, takes the spec from the host over the
// virtio-serial port aegis.agent, runs the command and reports how it ended; then powers the VM off.
// `aegis-agent exec-env FILE COMMAND ARGS...` is the last step of the launcher: it execs COMMAND with the
// environment read from FILE (NUL-separated), so the spec's environment reaches no process that runs as root.
if (args.Length >= 3 && args[0] == "exec-env")
{
    return ExecEnv.Run(args[1], args[2..]);
}

if (Environment.ProcessId != 1)
{
    await Console.Error.WriteLineAsync("aegis-agent runs as pid 1 of a qemu sandbox (or: aegis-agent exec-env FILE COMMAND ARGS...)");
    return 2;
}

try
{
    var agent = new Agent();
    await agent.RunAsync();
}
catch (Exception exception)
{
    await Console.Error.WriteLineAsync($"aegis-agent: {exception}");
}

Native.PowerOff();
return 1;
