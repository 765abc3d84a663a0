using System.Diagnostics;
using System.Globalization;
using Aegis.Sandbox;
using Aegis.Sandbox.Qemu;

// Lifecycle timings of the qemu backend for one guest size (bench/RESULTS.md, "qemu microVM").
//   dotnet run -c Release --project bench/Aegis.QemuBench -- [--image DIR] [--runs N] [--memory-mib M] [--harness]
// boot → ready: StartAsync until a guest program on the control channel answers health (what the harness does when
// it is up); pause/resume: QMP stop/cont; snapshot: sync + stop + migrate to a file + quit; restore: QEMU with
// -incoming until the guest runs, and until it answers health again. The guest's RAM is the command's limit plus the
// backend's overhead (64 MiB).
var image = Argument("--image") ?? Path.Combine(RepositoryRoot(), ".famiglia", "images", "qemu");
var runs = int.Parse(Argument("--runs") ?? "5", CultureInfo.InvariantCulture);
var guestMiB = long.Parse(Argument("--memory-mib") ?? "256", CultureInfo.InvariantCulture);

var state = Directory.CreateTempSubdirectory("aegis-qemubench-");
var options = new QemuOptions
{
    ImageDirectory = image,
    RuntimeDirectory = Path.Combine(state.FullName, "run"),
    LogDirectory = Path.Combine(state.FullName, "logs"),
};
var backend = new QemuBackend(options);
var probe = await backend.ProbeAsync();
if (!probe.Available)
{
    Console.Error.WriteLine("qemu backend unavailable: " + string.Join("; ", probe.Problems));
    return 1;
}

var accelerator = await backend.GetAcceleratorAsync();
Console.WriteLine($"accelerator: {accelerator.Name} ({accelerator.Reason}); guest RAM {guestMiB} MiB; {runs} runs");

const string Guest = """
    import json, socket
    s = socket.socket(socket.AF_UNIX)
    s.connect("/run/aegis/control.sock")
    f = s.makefile("rw")
    for line in f:
        m = json.loads(line)
        if m["type"] == "health":
            f.write(json.dumps({"type": "health", "ok": True}) + "\n")
            f.flush()
        elif m["type"] == "shutdown":
            break
    """;

var samples = new Dictionary<string, List<double>>();
void Record(string name, double value) => (samples.TryGetValue(name, out var list) ? list : samples[name] = []).Add(value);

if (Environment.GetCommandLineArgs().Contains("--harness"))
{
    // The real thing: famiglia-harness + the Echo template from the image, a real ejabberd and famiglia-web.
    await HarnessBench.RunAsync(backend, options, runs, guestMiB, Record);
    runs = 0;
}

for (var run = 0; run < runs; run++)
{
    var workspace = Directory.CreateDirectory(Path.Combine(state.FullName, $"ws-{run}")).FullName;
    await File.WriteAllTextAsync(Path.Combine(workspace, "guest.py"), Guest);
    var spec = new SandboxSpec($"bench-{run}", "bench", "/usr/bin/python3", workspace)
    {
        Arguments = ["/workspace/guest.py"],
        Resources = new SandboxResources(MemoryBytes: (guestMiB * 1024 * 1024) - options.GuestOverheadBytes),
    };

    var clock = Stopwatch.StartNew();
    var sandbox = (QemuSandbox)await backend.StartAsync(spec);
    Record("boot → command started (ms)", clock.Elapsed.TotalMilliseconds);
    await WaitHealthyAsync(sandbox);
    Record("boot → ready (ms)", clock.Elapsed.TotalMilliseconds);

    clock.Restart();
    await sandbox.PauseAsync();
    Record("pause (ms)", clock.Elapsed.TotalMilliseconds);
    clock.Restart();
    await sandbox.ResumeAsync();
    Record("resume (ms)", clock.Elapsed.TotalMilliseconds);
    await WaitHealthyAsync(sandbox);

    var snapshotDirectory = Path.Combine(state.FullName, $"snapshot-{run}");
    clock.Restart();
    var snapshot = await sandbox.SnapshotAsync(snapshotDirectory);
    Record("snapshot (ms)", clock.Elapsed.TotalMilliseconds);
    Record("snapshot memory (MiB)", snapshot.MemoryBytes / 1048576.0);
    Record("snapshot on disk, all files (MiB)", DiskUsage(snapshotDirectory) / 1048576.0);

    clock.Restart();
    var restored = await backend.RestoreAsync(spec, QemuSnapshot.Load(snapshotDirectory));
    Record("restore → running (ms)", clock.Elapsed.TotalMilliseconds);
    await WaitHealthyAsync(restored);
    Record("restore → ready (ms)", clock.Elapsed.TotalMilliseconds);

    clock.Restart();
    await restored.TerminateAsync(TimeSpan.FromSeconds(5));
    Record("terminate (ms)", clock.Elapsed.TotalMilliseconds);
    Console.WriteLine($"run {run + 1}/{runs} done");
}

Console.WriteLine();
Console.WriteLine($"| {accelerator.Name.ToUpperInvariant()}, {guestMiB} MiB guest | median | min | max |");
Console.WriteLine("|---|---|---|---|");
foreach (var (name, values) in samples)
{
    values.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {values[values.Count / 2]:0.#} | {values[0]:0.#} | {values[^1]:0.#} |"));
}

state.Delete(recursive: true);
return 0;

static async Task WaitHealthyAsync(ISandbox sandbox)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
    while ((await sandbox.QueryHealthAsync(TimeSpan.FromSeconds(2)))?.Ok != true)
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException("the guest did not answer health");
        }

        await Task.Delay(10);
    }
}

// Allocated blocks, not apparent sizes: the share disks are sparse.
static long DiskUsage(string directory)
{
    var output = Process.Start(new ProcessStartInfo("du", ["-sk", directory]) { RedirectStandardOutput = true })!;
    var text = output.StandardOutput.ReadToEnd();
    output.WaitForExit();
    return long.Parse(text.Split('\t')[0], CultureInfo.InvariantCulture) * 1024;
}

static string? Argument(string name)
{
    var args = Environment.GetCommandLineArgs();
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static string RepositoryRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Aegis.slnx")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? Directory.GetCurrentDirectory();
}
