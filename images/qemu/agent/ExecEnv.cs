using System.Text;

namespace Aegis.GuestAgent;

/// <summary>Execs the command with exactly the environment the agent wrote for it, then removes that file.</summary>
internal static class ExecEnv
{
    public static int Run(string file, string[] command)
    {
        var environment = File.ReadAllText(file, Encoding.UTF8).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        File.Delete(file);
        var path = Resolve(command[0], environment);
        var errno = Native.Exec(path, command, environment);
        Console.Error.WriteLine($"aegis: cannot run {command[0]}: errno {errno}");
        return errno == 2 ? 127 : 126;
    }

    /// <summary>A name without a slash is looked up on the command's own PATH, as execvp would.</summary>
    private static string Resolve(string command, string[] environment)
    {
        if (command.Contains('/'))
        {
            return command;
        }

        var path = environment.FirstOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return command;
    }
}
