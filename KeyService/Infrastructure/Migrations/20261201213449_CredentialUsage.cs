using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AlyAspire.KeyService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class CredentialUsage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CredentialDailyUsage",
                columns: table => new
                {
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    CredentialKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CredentialId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    ClientId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Allowed = table.Column<long>(type: "bigint", nullable: false),
                    Unauthorized = table.Column<long>(type: "bigint", nullable: false),
                    Forbidden = table.Column<long>(type: "bigint", nullable: false),
                    CredentialLimited = table.Column<long>(type: "bigint", nullable: false),
                    WorkspaceLimited = table.Column<long>(type: "bigint", nullable: false),
                    LastUsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CredentialDailyUsage", x => new { x.WorkspaceId, x.CredentialKind, x.CredentialId, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "UsageBatches",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageBatches", x => x.Id);
                });

            // The verifications counted so far carry over as allowed requests of their keys.
            migrationBuilder.Sql("""
                INSERT INTO "CredentialDailyUsage" ("WorkspaceId", "CredentialKind", "CredentialId", "Day", "ClientId",
                    "Allowed", "Unauthorized", "Forbidden", "CredentialLimited", "WorkspaceLimited", "LastUsedAt")
                SELECT k."WorkspaceId", 'api_key', u."ApiKeyId"::text, u."Day", NULL, u."Requests", 0, 0, 0, 0,
                       COALESCE(k."LastUsedAt", u."Day"::timestamp AT TIME ZONE 'UTC')
                FROM "ApiKeyDailyUsage" AS u JOIN "ApiKeys" AS k ON k."Id" = u."ApiKeyId"
                """);

            migrationBuilder.DropTable(
                name: "ApiKeyDailyUsage");

            migrationBuilder.CreateIndex(
                name: "IX_CredentialDailyUsage_WorkspaceId_Day",
                table: "CredentialDailyUsage",
                columns: new[] { "WorkspaceId", "Day" });

            migrationBuilder.CreateIndex(
                name: "IX_UsageBatches_ReceivedAt",
                table: "UsageBatches",
                column: "ReceivedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CredentialDailyUsage");

            migrationBuilder.DropTable(
                name: "UsageBatches");

            migrationBuilder.CreateTable(
                name: "ApiKeyDailyUsage",
                columns: table => new
                {
                    ApiKeyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Requests = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeyDailyUsage", x => new { x.ApiKeyId, x.Day });
                    table.ForeignKey(
                        name: "FK_ApiKeyDailyUsage_ApiKeys_ApiKeyId",
                        column: x => x.ApiKeyId,
                        principalTable: "ApiKeys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }
    }
}
