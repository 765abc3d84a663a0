namespace Aegis.Core.Kits;

/// <summary>The hook names passed as the hooks executable's one argument.</summary>
public static class KitHookName
{
    /// <summary><c>render_env</c>: before every boot or restore, <c>{canvas, secrets, env}</c> → <c>{env}</c>.</summary>
    public const string RenderEnv = "render_env";

    /// <summary><c>validate_config</c>: when an app is registered or its config changes, <c>{canvas_config}</c> → <c>{ok, errors}</c>.</summary>
    public const string ValidateConfig = "validate_config";

    /// <summary><c>on_publish</c>: after a release is published, <c>{canvas, version, artifacts}</c> → <c>{}</c>.</summary>
    public const string OnPublish = "on_publish";
}
