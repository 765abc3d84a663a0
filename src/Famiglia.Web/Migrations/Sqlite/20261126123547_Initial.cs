using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Famiglia.Web.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditLogs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AgentConfigId = table.Column<string>(type: "TEXT", nullable: true),
                    ApiKeyId = table.Column<string>(type: "TEXT", nullable: true),
                    GroupId = table.Column<string>(type: "TEXT", nullable: true),
                    Method = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Endpoint = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditLogs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Groups",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Groups", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Users",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    Handle = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    PasswordHash = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    XmppPassword = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Users", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Media",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    GroupId = table.Column<string>(type: "TEXT", nullable: false),
                    Mime = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    StorageKey = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Width = table.Column<int>(type: "INTEGER", nullable: true),
                    Height = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Media", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Media_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Rooms",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    GroupId = table.Column<string>(type: "TEXT", nullable: false),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Visibility = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Rooms", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Rooms_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Members",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    GroupId = table.Column<string>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    JoinedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Members", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Members_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Members_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Posts",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    GroupId = table.Column<string>(type: "TEXT", nullable: false),
                    AuthorId = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Text = table.Column<string>(type: "TEXT", nullable: true),
                    MediaId = table.Column<string>(type: "TEXT", nullable: true),
                    LinkUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Posts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Posts_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Posts_Media_MediaId",
                        column: x => x.MediaId,
                        principalTable: "Media",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Posts_Users_AuthorId",
                        column: x => x.AuthorId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Files",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    GroupId = table.Column<string>(type: "TEXT", nullable: false),
                    RoomId = table.Column<string>(type: "TEXT", nullable: true),
                    UploadedById = table.Column<string>(type: "TEXT", nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    Mime = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Files", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Files_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Files_Rooms_RoomId",
                        column: x => x.RoomId,
                        principalTable: "Rooms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Files_Users_UploadedById",
                        column: x => x.UploadedById,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "Messages",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    RoomId = table.Column<string>(type: "TEXT", nullable: false),
                    AuthorId = table.Column<string>(type: "TEXT", nullable: true),
                    AuthorNick = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    Thread = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    StanzaId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Messages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Messages_Rooms_RoomId",
                        column: x => x.RoomId,
                        principalTable: "Rooms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Messages_Users_AuthorId",
                        column: x => x.AuthorId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "RoomDocuments",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    RoomId = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CrdtKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoomDocuments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RoomDocuments_Rooms_RoomId",
                        column: x => x.RoomId,
                        principalTable: "Rooms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RoomParticipants",
                columns: table => new
                {
                    RoomId = table.Column<string>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoomParticipants", x => new { x.RoomId, x.UserId });
                    table.ForeignKey(
                        name: "FK_RoomParticipants_Rooms_RoomId",
                        column: x => x.RoomId,
                        principalTable: "Rooms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_RoomParticipants_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AgentConfigs",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    DocumentId = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    AegisAppId = table.Column<string>(type: "TEXT", nullable: true),
                    AegisInstanceId = table.Column<string>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false, defaultValue: "STOPPED"),
                    ApiKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    XmppUser = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    XmppPassword = table.Column<string>(type: "TEXT", nullable: false),
                    Env = table.Column<string>(type: "TEXT", nullable: true),
                    CanvasEnabled = table.Column<bool>(type: "INTEGER", nullable: false, defaultValue: true),
                    LastHeartbeat = table.Column<DateTime>(type: "TEXT", nullable: true),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    StoppedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentConfigs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgentConfigs_RoomDocuments_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "RoomDocuments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Apps",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    GroupId = table.Column<string>(type: "TEXT", nullable: false),
                    DocumentId = table.Column<string>(type: "TEXT", nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SchemaJson = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Apps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Apps_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Apps_RoomDocuments_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "RoomDocuments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "ApiKeys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    AgentConfigId = table.Column<string>(type: "TEXT", nullable: false),
                    GroupId = table.Column<string>(type: "TEXT", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RevokedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ApiKeys_AgentConfigs_AgentConfigId",
                        column: x => x.AgentConfigId,
                        principalTable: "AgentConfigs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ApiKeys_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AppRecords",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    AppId = table.Column<string>(type: "TEXT", nullable: false),
                    DataJson = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AppRecords", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AppRecords_Apps_AppId",
                        column: x => x.AppId,
                        principalTable: "Apps",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AgentConfigs_ApiKey",
                table: "AgentConfigs",
                column: "ApiKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AgentConfigs_DocumentId",
                table: "AgentConfigs",
                column: "DocumentId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AgentConfigs_XmppUser",
                table: "AgentConfigs",
                column: "XmppUser",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_AgentConfigId",
                table: "ApiKeys",
                column: "AgentConfigId");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_GroupId",
                table: "ApiKeys",
                column: "GroupId");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_Hash",
                table: "ApiKeys",
                column: "Hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AppRecords_AppId_CreatedAt_Id",
                table: "AppRecords",
                columns: new[] { "AppId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Apps_DocumentId",
                table: "Apps",
                column: "DocumentId");

            migrationBuilder.CreateIndex(
                name: "IX_Apps_GroupId_CreatedAt",
                table: "Apps",
                columns: new[] { "GroupId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditLogs_AgentConfigId_At",
                table: "AuditLogs",
                columns: new[] { "AgentConfigId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_Files_GroupId_Name",
                table: "Files",
                columns: new[] { "GroupId", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_Files_RoomId",
                table: "Files",
                column: "RoomId");

            migrationBuilder.CreateIndex(
                name: "IX_Files_UploadedById",
                table: "Files",
                column: "UploadedById");

            migrationBuilder.CreateIndex(
                name: "IX_Groups_Slug",
                table: "Groups",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Media_GroupId",
                table: "Media",
                column: "GroupId");

            migrationBuilder.CreateIndex(
                name: "IX_Members_GroupId_UserId",
                table: "Members",
                columns: new[] { "GroupId", "UserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Members_UserId",
                table: "Members",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_AuthorId",
                table: "Messages",
                column: "AuthorId");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_RoomId_CreatedAt_Id",
                table: "Messages",
                columns: new[] { "RoomId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Messages_RoomId_StanzaId",
                table: "Messages",
                columns: new[] { "RoomId", "StanzaId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Posts_AuthorId",
                table: "Posts",
                column: "AuthorId");

            migrationBuilder.CreateIndex(
                name: "IX_Posts_GroupId_CreatedAt_Id",
                table: "Posts",
                columns: new[] { "GroupId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Posts_GroupId_Type_CreatedAt_Id",
                table: "Posts",
                columns: new[] { "GroupId", "Type", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Posts_MediaId",
                table: "Posts",
                column: "MediaId");

            migrationBuilder.CreateIndex(
                name: "IX_RoomDocuments_CrdtKey",
                table: "RoomDocuments",
                column: "CrdtKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RoomDocuments_RoomId_CreatedAt",
                table: "RoomDocuments",
                columns: new[] { "RoomId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RoomParticipants_UserId",
                table: "RoomParticipants",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_Rooms_GroupId_Slug",
                table: "Rooms",
                columns: new[] { "GroupId", "Slug" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Users_Handle",
                table: "Users",
                column: "Handle",
                unique: true);
            // Full-text search over files (FileSearch): an FTS5 table kept in step with Files by triggers.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE FilesFts USING fts5(
                    FileId UNINDEXED, GroupId UNINDEXED, Name, Text, tokenize = 'unicode61 remove_diacritics 2')
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Files_AfterInsert AFTER INSERT ON Files BEGIN
                    INSERT INTO FilesFts (FileId, GroupId, Name, Text) VALUES (new.Id, new.GroupId, new.Name, new.Text);
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Files_AfterDelete AFTER DELETE ON Files BEGIN
                    DELETE FROM FilesFts WHERE FileId = old.Id;
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Files_AfterUpdate AFTER UPDATE ON Files BEGIN
                    DELETE FROM FilesFts WHERE FileId = old.Id;
                    INSERT INTO FilesFts (FileId, GroupId, Name, Text) VALUES (new.Id, new.GroupId, new.Name, new.Text);
                END
                """);

            // Posts per group and type (PostCounts), so the feed's total is a key lookup.
            migrationBuilder.Sql("""
                CREATE TABLE PostCounts (
                    GroupId TEXT NOT NULL, Type TEXT NOT NULL, Count INTEGER NOT NULL, PRIMARY KEY (GroupId, Type)) WITHOUT ROWID
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Posts_Count_AfterInsert AFTER INSERT ON Posts BEGIN
                    INSERT INTO PostCounts (GroupId, Type, Count) VALUES (new.GroupId, new.Type, 1)
                        ON CONFLICT (GroupId, Type) DO UPDATE SET Count = Count + 1;
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Posts_Count_AfterDelete AFTER DELETE ON Posts BEGIN
                    UPDATE PostCounts SET Count = Count - 1 WHERE GroupId = old.GroupId AND Type = old.Type;
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Posts_Count_AfterUpdate AFTER UPDATE OF GroupId, Type ON Posts BEGIN
                    UPDATE PostCounts SET Count = Count - 1 WHERE GroupId = old.GroupId AND Type = old.Type;
                    INSERT INTO PostCounts (GroupId, Type, Count) VALUES (new.GroupId, new.Type, 1)
                        ON CONFLICT (GroupId, Type) DO UPDATE SET Count = Count + 1;
                END
                """);

            // A version per group's feed, bumped by every change that can alter a feed page (a post, its author's name,
            // its media): the Data API caches rendered pages and checks the version on each request.
            migrationBuilder.Sql("CREATE TABLE FeedVersions (GroupId TEXT NOT NULL PRIMARY KEY, Version INTEGER NOT NULL) WITHOUT ROWID");
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

            migrationBuilder.Sql("DROP TABLE IF EXISTS PostCounts");
            migrationBuilder.Sql("DROP TABLE IF EXISTS FilesFts");

            migrationBuilder.DropTable(
                name: "ApiKeys");

            migrationBuilder.DropTable(
                name: "AppRecords");

            migrationBuilder.DropTable(
                name: "AuditLogs");

            migrationBuilder.DropTable(
                name: "Files");

            migrationBuilder.DropTable(
                name: "Members");

            migrationBuilder.DropTable(
                name: "Messages");

            migrationBuilder.DropTable(
                name: "Posts");

            migrationBuilder.DropTable(
                name: "RoomParticipants");

            migrationBuilder.DropTable(
                name: "AgentConfigs");

            migrationBuilder.DropTable(
                name: "Apps");

            migrationBuilder.DropTable(
                name: "Media");

            migrationBuilder.DropTable(
                name: "Users");

            migrationBuilder.DropTable(
                name: "RoomDocuments");

            migrationBuilder.DropTable(
                name: "Rooms");

            migrationBuilder.DropTable(
                name: "Groups");
        }
    }
}
