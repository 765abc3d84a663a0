using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Spaces;

/// <summary>
/// Full-text search over files' names and text. SQLite: the FTS5 table <c>FilesFts</c>, kept in step with <c>Files</c>
/// by triggers. PostgreSQL: the generated <c>tsvector</c> column <c>Files.SearchVector</c> with a GIN index. Both are
/// made by the provider's first migration, so writers need not know they exist.
/// </summary>
internal static class FileSearch
{
    /// <summary>
    /// The words of what a user typed, each to be matched as a prefix, all of them required; so no input can be a
    /// syntax error in either engine's query language. Empty when the text has no word at all.
    /// </summary>
    public static IReadOnlyList<string> WordsOf(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text.Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        return words;
    }

    public static Task<(int Total, IReadOnlyList<Hit> Hits)> SearchAsync(
        FamigliaDbContext context, string groupId, IReadOnlyList<string> words, int limit, int offset, CancellationToken cancellationToken = default) =>
        context.Database.IsNpgsql()
            ? SearchPostgresAsync(context, groupId, string.Join(" & ", words.Select(w => $"'{w}':*")), limit, offset, cancellationToken)
            : SearchSqliteAsync(context, groupId, string.Join(' ', words.Select(w => $"\"{w}\"*")), limit, offset, cancellationToken);

    private static async Task<(int Total, IReadOnlyList<Hit> Hits)> SearchSqliteAsync(
        FamigliaDbContext context, string groupId, string match, int limit, int offset, CancellationToken cancellationToken)
    {
        var total = await context.Database
            .SqlQuery<int>($"SELECT COUNT(*) AS \"Value\" FROM FilesFts WHERE FilesFts MATCH {match} AND GroupId = {groupId}")
            .SingleAsync(cancellationToken);
        if (limit == 0 || offset >= total)
        {
            return (total, []);
        }

        var hits = await context.Database
            .SqlQuery<Hit>($"""
                SELECT FileId, snippet(FilesFts, 3, '[', ']', '…', 16) AS Snippet
                FROM FilesFts WHERE FilesFts MATCH {match} AND GroupId = {groupId}
                ORDER BY rank LIMIT {limit} OFFSET {offset}
                """)
            .ToListAsync(cancellationToken);
        return (total, hits);
    }

    private static async Task<(int Total, IReadOnlyList<Hit> Hits)> SearchPostgresAsync(
        FamigliaDbContext context, string groupId, string query, int limit, int offset, CancellationToken cancellationToken)
    {
        var total = await context.Database
            .SqlQuery<int>($"""
                SELECT CAST(COUNT(*) AS integer) AS "Value" FROM "Files"
                WHERE "GroupId" = {groupId} AND "SearchVector" @@ to_tsquery('simple', {query})
                """)
            .SingleAsync(cancellationToken);
        if (limit == 0 || offset >= total)
        {
            return (total, []);
        }

        var hits = await context.Database
            .SqlQuery<Hit>($"""
                SELECT "Id" AS "FileId",
                       ts_headline('simple', COALESCE("Text", "Name"), to_tsquery('simple', {query}),
                                   'StartSel=[, StopSel=], MaxWords=16, MinWords=6, FragmentDelimiter=…, MaxFragments=1') AS "Snippet"
                FROM "Files"
                WHERE "GroupId" = {groupId} AND "SearchVector" @@ to_tsquery('simple', {query})
                ORDER BY ts_rank("SearchVector", to_tsquery('simple', {query})) DESC, "Id"
                LIMIT {limit} OFFSET {offset}
                """)
            .ToListAsync(cancellationToken);
        return (total, hits);
    }

    internal sealed record Hit(string FileId, string Snippet);
}
