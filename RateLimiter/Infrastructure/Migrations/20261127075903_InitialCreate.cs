using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AlyAspire.RateLimiter.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "workspace_limit_overrides",
                columns: table => new
                {
                    WorkspaceId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Plan = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    RequestsPerWindow = table.Column<int>(type: "integer", nullable: true),
                    WindowSeconds = table.Column<int>(type: "integer", nullable: true),
                    Burst = table.Column<int>(type: "integer", nullable: true),
                    CredentialRequestsPerWindow = table.Column<int>(type: "integer", nullable: true),
                    CredentialWindowSeconds = table.Column<int>(type: "integer", nullable: true),
                    CredentialBurst = table.Column<int>(type: "integer", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workspace_limit_overrides", x => x.WorkspaceId);
                    table.CheckConstraint("ck_credential_budget_complete", "(\"CredentialRequestsPerWindow\" IS NULL) = (\"CredentialWindowSeconds\" IS NULL) AND (\"CredentialWindowSeconds\" IS NULL) = (\"CredentialBurst\" IS NULL)");
                    table.CheckConstraint("ck_workspace_budget_complete", "(\"RequestsPerWindow\" IS NULL) = (\"WindowSeconds\" IS NULL) AND (\"WindowSeconds\" IS NULL) = (\"Burst\" IS NULL)");
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "workspace_limit_overrides");
        }
    }
}
