namespace Aegis.Cli.Output;

/// <summary>Left-aligned columns separated by two spaces, headers in capitals, like <c>docker ps</c>.</summary>
internal static class TableWriter
{
    public static async Task WriteAsync(TextWriter output, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select((header, column) => rows.Select(row => row[column].Length).Append(header.Length).Max()).ToArray();
        await WriteRowAsync(output, headers.Select(h => h.ToUpperInvariant()).ToList(), widths);
        foreach (var row in rows)
        {
            await WriteRowAsync(output, row, widths);
        }
    }

    private static Task WriteRowAsync(TextWriter output, IReadOnlyList<string> cells, int[] widths) =>
        output.WriteLineAsync(string.Join("  ", cells.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
}
