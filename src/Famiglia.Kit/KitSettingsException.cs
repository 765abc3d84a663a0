namespace Famiglia.Kit;

/// <summary>The hooks' settings are missing or invalid; <see cref="Errors"/> names each problem.</summary>
internal sealed class KitSettingsException(string source, IReadOnlyList<string> errors)
    : Exception($"the settings {source} are invalid: {string.Join("; ", errors)}")
{
    public string SettingsFile => source;

    public IReadOnlyList<string> Errors => errors;
}
