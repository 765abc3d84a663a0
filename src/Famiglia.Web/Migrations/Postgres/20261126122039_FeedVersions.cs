using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Famiglia.Web.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FeedVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A version per group's feed, bumped by every change that can alter a feed page (a post, its author's name,
            // its media): the Data API caches rendered pages and checks the version on each request.
            migrationBuilder.Sql("""CREATE TABLE "FeedVersions" ("GroupId" text NOT NULL PRIMARY KEY, "Version" bigint NOT NULL)""");
            migrationBuilder.Sql("""INSERT INTO "FeedVersions" ("GroupId", "Version") SELECT "Id", 1 FROM "Groups" """);
            migrationBuilder.Sql("""
                CREATE FUNCTION famiglia_bump_feed(group_id text) RETURNS void LANGUAGE sql AS $$
                    INSERT INTO "FeedVersions" ("GroupId", "Version") VALUES (group_id, 1)
                        ON CONFLICT ("GroupId") DO UPDATE SET "Version" = "FeedVersions"."Version" + 1
                $$
                """);
            migrationBuilder.Sql("""
                CREATE FUNCTION famiglia_feed_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_TABLE_NAME = 'Users' THEN
                        UPDATE "FeedVersions" SET "Version" = "Version" + 1;
                        RETURN NULL;
                    END IF;
                    IF TG_OP IN ('DELETE', 'UPDATE') THEN
                        PERFORM famiglia_bump_feed(OLD."GroupId");
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        PERFORM famiglia_bump_feed(NEW."GroupId");
                    END IF;
                    RETURN NULL;
                END
                $$
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Posts_Feed" AFTER INSERT OR UPDATE OR DELETE ON "Posts"
                    FOR EACH ROW EXECUTE FUNCTION famiglia_feed_changed()
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Users_Feed" AFTER UPDATE OF "Handle", "DisplayName" ON "Users"
                    FOR EACH ROW EXECUTE FUNCTION famiglia_feed_changed()
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Media_Feed" AFTER UPDATE OR DELETE ON "Media"
                    FOR EACH ROW EXECUTE FUNCTION famiglia_feed_changed()
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Posts_Feed" ON "Posts" """);
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Users_Feed" ON "Users" """);
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Media_Feed" ON "Media" """);
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS famiglia_feed_changed()");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS famiglia_bump_feed(text)");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "FeedVersions" """);
        }
    }
}
