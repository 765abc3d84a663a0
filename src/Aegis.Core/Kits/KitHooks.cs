using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aegis.Core.Kits;

/// <summary>
/// Runs a kit's hooks: <c>&lt;hooks-executable&gt; &lt;hook-name&gt;</c> as a subprocess (no shell), a JSON request on
/// its stdin, a JSON response from its stdout, its stderr lines to the log, killed with its child processes when it
/// outlives <see cref="KitHooksOptions.Timeout"/>.
/// </summary>
/// <remarks>
/// Hooks are optional: without an executable, <c>render_env</c> returns the env unchanged, <c>validate_config</c>
/// accepts every config and <c>on_publish</c> does nothing. A failed hook throws <see cref="KitHookException"/>.
/// The request is never logged nor put in an exception, and secret values the hook echoes to stderr are masked.
/// </remarks>
public sealed partial class KitHooks
{
    private readonly KitHooksOptions _options;
    private readonly string? _executable;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the runner. Nothing runs until a hook is called.</summary>
    public KitHooks(KitHooksOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxResponseBytes, 2);
        _options = options;
        _executable = string.IsNullOrEmpty(options.Executable) ? null : Path.GetFullPath(options.Executable);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<KitHooks>();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The kit has a hooks executable; when false every hook is a no-op.</summary>
    public bool IsConfigured => _executable is not null;

    /// <summary>Runs <c>render_env</c>: the hook receives <c>{canvas, secrets, env}</c> and returns <c>{env}</c>, the
    /// complete environment of the sandbox (the given env plus what the kit adds).</summary>
    /// <returns>The hook's env; <paramref name="env"/> itself when the kit has no hooks.</returns>
    /// <exception cref="KitHookException">The hook failed or its response has no <c>env</c> object of strings.</exception>
    public async Task<IReadOnlyDictionary<string, string>> RenderEnvAsync(
        KitCanvas canvas,
        IReadOnlyDictionary<string, string> secrets,
        IReadOnlyDictionary<string, string> env,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(env);
        if (_executable is null)
        {
            Log.NoHooks(_logger, KitHookName.RenderEnv);
            return env;
        }

        var request = JsonSerializer.SerializeToUtf8Bytes(new RenderEnvRequest(canvas, secrets, env), KitHooksJson.Wire.RenderEnvRequest);
        return await RunAsync(KitHookName.RenderEnv, request, SecretRedactor.For(secrets.Values), ReadEnv, cancellationToken);
    }

    /// <summary>Runs <c>validate_config</c>: the hook receives <c>{canvas_config}</c> and returns <c>{ok, errors}</c>.</summary>
    /// <returns>The hook's verdict; <see cref="KitConfigValidation.Valid"/> when the kit has no hooks.</returns>
    /// <exception cref="KitHookException">The hook failed or its response has no boolean <c>ok</c>.</exception>
    public async Task<KitConfigValidation> ValidateConfigAsync(JsonElement canvasConfig, CancellationToken cancellationToken = default)
    {
        if (_executable is null)
        {
            Log.NoHooks(_logger, KitHookName.ValidateConfig);
            return KitConfigValidation.Valid;
        }

        var request = JsonSerializer.SerializeToUtf8Bytes(new ValidateConfigRequest(canvasConfig), KitHooksJson.Wire.ValidateConfigRequest);
        return await RunAsync(KitHookName.ValidateConfig, request, SecretRedactor.None, ReadValidation, cancellationToken);
    }

    /// <summary>Runs <c>on_publish</c>: the hook receives <c>{canvas, version, artifacts}</c> and returns <c>{}</c>.</summary>
    /// <exception cref="KitHookException">The hook failed or did not answer with a JSON object.</exception>
    public async Task OnPublishAsync(KitCanvas canvas, string version, IReadOnlyList<KitArtifact> artifacts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentNullException.ThrowIfNull(artifacts);
        if (_executable is null)
        {
            Log.NoHooks(_logger, KitHookName.OnPublish);
            return;
        }

        var request = JsonSerializer.SerializeToUtf8Bytes(new OnPublishRequest(canvas, version, artifacts), KitHooksJson.Wire.OnPublishRequest);
        await RunAsync(KitHookName.OnPublish, request, SecretRedactor.None, RequireObject, cancellationToken);
    }

    private static IReadOnlyDictionary<string, string> ReadEnv(JsonElement response)
    {
        RequireObject(response);
        if (!response.TryGetProperty("env", out var env))
        {
            throw new HookResponseException("the response has no \"env\" field");
        }

        if (env.ValueKind != JsonValueKind.Object)
        {
            throw new HookResponseException($"\"env\" must be an object of strings, found {Describe(env)}");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in env.EnumerateObject())
        {
            // Name the variable but never show its value: render_env output carries secrets.
            result[variable.Name] = variable.Value.ValueKind == JsonValueKind.String
                ? variable.Value.GetString()!
                : throw new HookResponseException($"env.{variable.Name} must be a string, found {Describe(variable.Value)}");
        }

        return result;
    }

    private static KitConfigValidation ReadValidation(JsonElement response)
    {
        RequireObject(response);
        if (!response.TryGetProperty("ok", out var ok))
        {
            throw new HookResponseException("the response has no \"ok\" field");
        }

        if (ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new HookResponseException($"\"ok\" must be true or false, found {Describe(ok)}");
        }

        var errors = new List<string>();
        if (response.TryGetProperty("errors", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                throw new HookResponseException("\"errors\" must be a list of strings");
            }

            errors.AddRange(list.EnumerateArray().Select(e => e.GetString()!));
        }

        return new KitConfigValidation { Ok = ok.GetBoolean(), Errors = errors };
    }

    private static bool RequireObject(JsonElement response) => response.ValueKind == JsonValueKind.Object
        ? true
        : throw new HookResponseException($"expected a JSON object, found {Describe(response)}");

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>The hook's response breaks the contract; caught by the runner, which adds the hook and stderr.</summary>
    private sealed class HookResponseException(string message) : Exception(message);
}
