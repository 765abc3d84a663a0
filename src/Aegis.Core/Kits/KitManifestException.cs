namespace Aegis.Core.Kits;

/// <summary>A kit manifest is malformed or breaks the schema.</summary>
/// <remarks>The message lists every problem as <c>source:line:column: path: problem</c>, the form editors and
/// CI logs link to the line.</remarks>
public sealed class KitManifestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The manifest's name, usually its path.</param>
    /// <param name="errors">Every problem found, in document order; at least one.</param>
    public KitManifestException(string source, IReadOnlyList<KitManifestError> errors)
        : base(FormatMessage(source, errors))
    {
        ManifestSource = source;
        Errors = errors;
    }

    /// <summary>The manifest's name, usually its path.</summary>
    public string ManifestSource { get; }

    /// <summary>Every problem found, in document order.</summary>
    public IReadOnlyList<KitManifestError> Errors { get; }

    private static string FormatMessage(string source, IReadOnlyList<KitManifestError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        var lines = errors.Select(e => $"{source}:{e.Line}:{e.Column}: {e}");
        return errors.Count == 1
            ? lines.Single()
            : $"{source} has {errors.Count} errors:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}";
    }
}
