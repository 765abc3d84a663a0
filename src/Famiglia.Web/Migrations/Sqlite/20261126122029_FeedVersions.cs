using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Famiglia.Web.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FeedVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A version per group's feed, bumped by every change that can alter a feed page (a post, its author's name,
            // its media): the Data API caches rendered pages and checks the version on each request.
            migrationBuilder.Sql("CREATE TABLE FeedVersions (GroupId TEXT NOT NULL PRIMARY KEY, Version INTEGER NOT NULL) WITHOUT ROWID");
            migrationBuilder.Sql("INSERT INTO FeedVersions (GroupId, Version) SELECT Id, 1 FROM Groups");
            migrationBuilder.Sql("""
                CREATE TRIGGER Posts_Feed_AfterInsert AFTER INSERT ON Posts BEGIN
                    INSERT INTO FeedVersions (GroupId, Version) VALUES (new.GroupId, 1)
                        ON CONFLICT (GroupId) DO UPDATE SET Version = Version + 1;
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Posts_Feed_AfterUpdate AFTER UPDATE ON Posts BEGIN
                    INSERT INTO FeedVersions (GroupId, Version) VALUES (old.GroupId, 1)
                        ON CONFLICT (GroupId) DO UPDATE SET Version = Version + 1;
                    INSERT INTO FeedVersions (GroupId, Version) VALUES (new.GroupId, 1)
                        ON CONFLICT (GroupId) DO UPDATE SET Version = Version + 1;
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Posts_Feed_AfterDelete AFTER DELETE ON Posts BEGIN
                    INSERT INTO FeedVersions (GroupId, Version) VALUES (old.GroupId, 1)
                        ON CONFLICT (GroupId) DO UPDATE SET Version = Version + 1;
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Users_Feed_AfterUpdate AFTER UPDATE OF Handle, DisplayName ON Users BEGIN
                    UPDATE FeedVersions SET Version = Version + 1;
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Media_Feed_AfterUpdate AFTER UPDATE ON Media BEGIN
                    INSERT INTO FeedVersions (GroupId, Version) VALUES (old.GroupId, 1)
                        ON CONFLICT (GroupId) DO UPDATE SET Version = Version + 1;
                    INSERT INTO FeedVersions (GroupId, Version) VALUES (new.GroupId, 1)
                        ON CONFLICT (GroupId) DO UPDATE SET Version = Version + 1;
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Media_Feed_AfterDelete AFTER DELETE ON Media BEGIN
                    INSERT INTO FeedVersions (GroupId, Version) VALUES (old.GroupId, 1)
                        ON CONFLICT (GroupId) DO UPDATE SET Version = Version + 1;
                END
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var trigger in new[] { "Posts_Feed_AfterInsert", "Posts_Feed_AfterUpdate", "Posts_Feed_AfterDelete", "Users_Feed_AfterUpdate", "Media_Feed_AfterUpdate", "Media_Feed_AfterDelete" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {trigger}");
            }

            migrationBuilder.Sql("DROP TABLE IF EXISTS FeedVersions");
        }
    }
}
