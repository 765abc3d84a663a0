using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Spaces;

/// <summary>
/// Posts per group and type (<c>PostCounts</c>), kept in step with <c>Posts</c> by triggers, so the feed's
/// <c>total</c> is one key lookup instead of counting every post of the group on each request.
/// Recounted from <c>Posts</c> at startup, so a database from before the table existed starts right.
/// </summary>
internal static class PostCounts
{
    public static async Task EnsureAsync(FamigliaDbContext context, CancellationToken cancellationToken = default)
    {
        string[] statements =
        [
            """
            CREATE TABLE IF NOT EXISTS PostCounts (
                GroupId TEXT NOT NULL, Type TEXT NOT NULL, Count INTEGER NOT NULL, PRIMARY KEY (GroupId, Type)) WITHOUT ROWID
            """,
            """
            CREATE TRIGGER IF NOT EXISTS Posts_Count_AfterInsert AFTER INSERT ON Posts BEGIN
                INSERT INTO PostCounts (GroupId, Type, Count) VALUES (new.GroupId, new.Type, 1)
                    ON CONFLICT (GroupId, Type) DO UPDATE SET Count = Count + 1;
            END
            """,
            """
            CREATE TRIGGER IF NOT EXISTS Posts_Count_AfterDelete AFTER DELETE ON Posts BEGIN
                UPDATE PostCounts SET Count = Count - 1 WHERE GroupId = old.GroupId AND Type = old.Type;
            END
            """,
            """
            CREATE TRIGGER IF NOT EXISTS Posts_Count_AfterUpdate AFTER UPDATE OF GroupId, Type ON Posts BEGIN
                UPDATE PostCounts SET Count = Count - 1 WHERE GroupId = old.GroupId AND Type = old.Type;
                INSERT INTO PostCounts (GroupId, Type, Count) VALUES (new.GroupId, new.Type, 1)
                    ON CONFLICT (GroupId, Type) DO UPDATE SET Count = Count + 1;
            END
            """,
            "DELETE FROM PostCounts",
            "INSERT INTO PostCounts (GroupId, Type, Count) SELECT GroupId, Type, COUNT(*) FROM Posts GROUP BY GroupId, Type",
        ];
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        foreach (var statement in statements)
        {
            await context.Database.ExecuteSqlRawAsync(statement, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The group's posts, of one type or of all.</summary>
    public static Task<int> OfAsync(FamigliaDbContext context, string groupId, PostType? type, CancellationToken cancellationToken)
    {
        var typeName = type?.ToString();
        return context.Database
            .SqlQuery<int>($"SELECT COALESCE(SUM(Count), 0) AS Value FROM PostCounts WHERE GroupId = {groupId} AND ({typeName} IS NULL OR Type = {typeName})")
            .SingleAsync(cancellationToken);
    }
}
