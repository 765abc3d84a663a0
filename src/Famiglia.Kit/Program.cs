using System.Text.Encodings.Web;
using System.Text.Json;

namespace Famiglia.Kit;

/// <summary>
/// <c>famiglia-kit-hooks render_env|validate_config|on_publish</c>: one hook per run, as aegisd's runner calls it
/// (Aegis.Core <c>KitHooks</c>): JSON request on stdin, JSON response on stdout, problems on stderr with a
/// non-zero exit. <c>write-wrapper</c> and <c>write-kit</c> prepare the kit for <c>aegis kit install</c>.
/// </summary>
internal static class Program
{
    public const int ExitOk = 0;
    public const int ExitHookFailed = 1;
    public const int ExitUsage = 2;
    public const int ExitBadSettings = 3;

    private const string Name = "famiglia-kit-hooks";

    private const string Usage = $"""
        usage:
          {Name} render_env|validate_config|on_publish     run one kit hook (request on stdin, response on stdout)
          {Name} write-wrapper --settings ABS_PATH --out FILE
                                     write the executable /bin/sh wrapper aegisd stores as the kit's hooks
          {Name} write-kit --settings ABS_PATH --out DIR
                                     write DIR/aegis-kit.yaml and DIR/hooks, ready for 'aegis kit install DIR'
        settings: ${KitSettings.EnvironmentVariable} (an absolute path), else ./{KitSettings.DefaultFileName}
        """;

    public static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "";
        return command switch
        {
            "render_env" or "validate_config" or "on_publish" when args.Length == 1 => await RunHookAsync(command),
            "write-wrapper" or "write-kit" => WriteKit(command, args[1..]),
            "-h" or "--help" or "help" => Help(),
            _ => Fail(ExitUsage, args.Length == 0 ? "a hook or command is required" : $"unknown command line '{string.Join(' ', args)}'", Usage),
        };
    }

    private static async Task<int> RunHookAsync(string hook)
    {
        try
        {
            var settings = KitSettings.Load(KitSettings.Locate(Environment.GetEnvironmentVariable(KitSettings.EnvironmentVariable), Directory.GetCurrentDirectory()));
            using var request = await HookRequest.ReadAsync(Console.OpenStandardInput());
            var root = request.RootElement;
            FamigliaWebClient Connect() => FamigliaWebClient.Create(settings);

            await using var stdout = Console.OpenStandardOutput();
            await using var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            switch (hook)
            {
                case "render_env":
                    RenderEnvHook.Write(json, RenderEnvHook.Render(root, settings));
                    break;
                case "validate_config":
                    ValidateConfigHook.Write(json, await ValidateConfigHook.ValidateAsync(root, settings, Connect));
                    break;
                default:
                    await OnPublishHook.NotifyAsync(root, Connect);
                    OnPublishHook.Write(json);
                    break;
            }

            await json.FlushAsync();
            return ExitOk;
        }
        catch (KitSettingsException e)
        {
            return Fail(ExitBadSettings, $"{hook}: the settings {e.SettingsFile} are invalid:", [.. e.Errors.Select(error => "  - " + error)]);
        }
        catch (HookFailedException e)
        {
            return Fail(ExitHookFailed, $"{hook}: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or FormatException)
        {
            // A bug, not a bad request: no stack trace (which would go into aegisd's error), just what broke.
            return Fail(ExitHookFailed, $"{hook}: failed unexpectedly: {e.GetType().Name}: {e.Message}");
        }
    }

    private static int WriteKit(string command, string[] options)
    {
        string? settings = null;
        string? output = null;
        for (var i = 0; i < options.Length; i++)
        {
            switch (options[i])
            {
                case "--settings" when i + 1 < options.Length:
                    settings = options[++i];
                    break;
                case "--out" when i + 1 < options.Length:
                    output = options[++i];
                    break;
                default:
                    return Fail(ExitUsage, $"{command}: unexpected '{options[i]}'", Usage);
            }
        }

        if (settings is null || output is null)
        {
            return Fail(ExitUsage, $"{command}: {(settings is null ? "--settings" : "--out")} is required", Usage);
        }

        if (!Path.IsPathFullyQualified(settings))
        {
            return Fail(ExitUsage, $"{command}: --settings must be an absolute path (aegisd runs the hooks from its own directory)");
        }

        try
        {
            // A kit whose settings are broken would fail every hook later; refuse to write it now.
            KitSettings.Load(settings);
            if (command == "write-kit")
            {
                KitWriter.WriteKit(settings, output);
                Console.Error.WriteLine($"{Name}: wrote {Path.GetFullPath(Path.Combine(output, KitWriter.ManifestFileName))} and {Path.GetFullPath(Path.Combine(output, KitWriter.HooksFileName))}");
            }
            else
            {
                KitWriter.WriteWrapper(settings, output);
                Console.Error.WriteLine($"{Name}: wrote {Path.GetFullPath(output)}");
            }

            return ExitOk;
        }
        catch (KitSettingsException e)
        {
            return Fail(ExitBadSettings, $"{command}: the settings {e.SettingsFile} are invalid:", [.. e.Errors.Select(error => "  - " + error)]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return Fail(ExitHookFailed, $"{command}: cannot write {output}: {e.Message}");
        }
    }

    private static int Help()
    {
        Console.Out.WriteLine(Usage);
        return ExitOk;
    }

    private static int Fail(int exitCode, string message, params string[] more)
    {
        Console.Error.WriteLine($"{Name}: {message}");
        foreach (var line in more)
        {
            Console.Error.WriteLine(line);
        }

        return exitCode;
    }
}
