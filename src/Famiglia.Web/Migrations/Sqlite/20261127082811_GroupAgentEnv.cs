using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Famiglia.Web.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class GroupAgentEnv : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AgentEnv",
                table: "Groups",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AgentEnv",
                table: "Groups");
        }
    }
}
