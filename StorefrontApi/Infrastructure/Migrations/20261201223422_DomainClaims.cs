using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AlyAspire.StorefrontApi.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class DomainClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Domains_HostName",
                table: "Domains");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ExpiresAt",
                table: "Domains",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "VerifiedAt",
                table: "Domains",
                type: "timestamp with time zone",
                nullable: true);

            // Claims made before claims expired: they get the default 72 hours from when they were made.
            migrationBuilder.Sql("""UPDATE "Domains" SET "ExpiresAt" = "AttachedAt" + interval '72 hours' WHERE "Status" = 'pending_verification' AND "ExpiresAt" IS NULL""");

            migrationBuilder.CreateIndex(
                name: "IX_Domains_HostName_Verified",
                table: "Domains",
                column: "HostName",
                unique: true,
                filter: "\"Status\" = 'verified'");

            migrationBuilder.CreateIndex(
                name: "IX_Domains_WorkspaceId_HostName",
                table: "Domains",
                columns: new[] { "WorkspaceId", "HostName" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Domains_HostName_Verified",
                table: "Domains");

            migrationBuilder.DropIndex(
                name: "IX_Domains_WorkspaceId_HostName",
                table: "Domains");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "Domains");

            migrationBuilder.DropColumn(
                name: "VerifiedAt",
                table: "Domains");

            migrationBuilder.CreateIndex(
                name: "IX_Domains_HostName",
                table: "Domains",
                column: "HostName",
                unique: true);
        }
    }
}
