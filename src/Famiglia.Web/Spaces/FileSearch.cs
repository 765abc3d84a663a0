using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Spaces;

/// <summary>Full-text search over files' names and text with SQLite FTS5. The index (<c>FilesFts</c>) is kept
/// in step with <c>Files</c> by triggers, so writers need not know it exists.</summary>
internal static class FileSearch
{
    public static async Task EnsureIndexAsync(FamigliaDbContext context, CancellationToken cancellationToken = default)
    {
        string[] statements =
        [
            """
            CREATE VIRTUAL TABLE IF NOT EXISTS FilesFts USING fts5(
                FileId UNINDEXED, GroupId UNINDEXED, Name, Text, tokenize = 'unicode61 remove_diacritics 2')
            """,
            """
            CREATE TRIGGER IF NOT EXISTS Files_AfterInsert AFTER INSERT ON Files BEGIN
                INSERT INTO FilesFts (FileId, GroupId, Name, Text) VALUES (new.Id, new.GroupId, new.Name, new.Text);
            END
            """,
            """
            CREATE TRIGGER IF NOT EXISTS Files_AfterDelete AFTER DELETE ON Files BEGIN
                DELETE FROM FilesFts WHERE FileId = old.Id;
            END
            """,
            """
            CREATE TRIGGER IF NOT EXISTS Files_AfterUpdate AFTER UPDATE ON Files BEGIN
                DELETE FROM FilesFts WHERE FileId = old.Id;
                INSERT INTO FilesFts (FileId, GroupId, Name, Text) VALUES (new.Id, new.GroupId, new.Name, new.Text);
            END
            """,
        ];
        foreach (var statement in statements)
        {
            await context.Database.ExecuteSqlRawAsync(statement, cancellationToken);
        }
    }

    /// <summary>
    /// Turns what a user typed into an FTS5 query that cannot be a syntax error: every word quoted, as a prefix,
    /// all of them required. Null when the text has no word at all.
    /// </summary>
    public static string? ToMatchExpression(string text)
    {
        var query = new StringBuilder();
        var word = new StringBuilder();
        foreach (var c in text.Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else if (word.Length > 0)
            {
                query.Append(query.Length > 0 ? " " : "").Append('"').Append(word).Append("\"*");
                word.Clear();
            }
        }

        return query.Length == 0 ? null : query.ToString();
    }

    public static async Task<(int Total, IReadOnlyList<Hit> Hits)> SearchAsync(
        FamigliaDbContext context, string groupId, string match, int limit, int offset, CancellationToken cancellationToken = default)
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

    internal sealed record Hit(string FileId, string Snippet);
}
