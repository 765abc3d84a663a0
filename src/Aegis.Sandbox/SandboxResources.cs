namespace Aegis.Sandbox;

/// <summary>Resource limits of one sandbox. Exceeding memory kills the sandbox; exceeding pids fails fork.</summary>
/// <param name="MemoryBytes">Memory limit (RAM, no swap on top).</param>
/// <param name="CpuCores">CPU bandwidth in cores; 0.5 is half of one core.</param>
/// <param name="PidsLimit">Maximum number of processes and threads.</param>
public sealed record SandboxResources(long MemoryBytes = 512L * 1024 * 1024, decimal CpuCores = 1m, int PidsLimit = 256);
