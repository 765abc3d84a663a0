using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Famiglia.Web.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SealedSecrets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Users.XmppPassword grows to 512 characters for sealed values; SQLite does not enforce lengths.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
