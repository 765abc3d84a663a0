using Aegis.Cli.Api;

namespace Aegis.Cli.Output;

/// <summary>Prints a refusal as <c>error: &lt;title&gt;: &lt;detail&gt; (field: &lt;field&gt;)</c>, one line per extra error.</summary>
internal static class ProblemPrinter
{
    public static async Task PrintAsync(TextWriter stderr, AegisApiException problem)
    {
        await stderr.WriteLineAsync(Format(problem));
        var detail = problem.Detail ?? "";
        foreach (var error in problem.Errors.Where(e => !detail.Contains(e, StringComparison.Ordinal)))
        {
            await stderr.WriteLineAsync($"  - {error}");
        }

        if (problem.Status == 401)
        {
            await stderr.WriteLineAsync("  the token file does not hold this daemon's token: check --token-file / --data-dir");
        }
    }

    /// <summary>The first line of a multi-line detail carries the field; the other lines follow, indented.</summary>
    public static string Format(AegisApiException problem)
    {
        var lines = (problem.Detail ?? "").ReplaceLineEndings("\n").Split('\n');
        var line = $"error: {problem.Title}";
        if (lines[0].Length > 0)
        {
            line += $": {lines[0]}";
        }

        if (problem.Field is { Length: > 0 } field)
        {
            line += $" (field: {field})";
        }

        return string.Join(Environment.NewLine, lines.Skip(1).Select(l => "  " + l).Prepend(line));
    }
}
