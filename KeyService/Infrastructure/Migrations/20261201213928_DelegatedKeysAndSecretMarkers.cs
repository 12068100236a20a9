using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AlyAspire.KeyService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class DelegatedKeysAndSecretMarkers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RevocationMarkedAt",
                table: "ApiKeySecrets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AuthorizationId",
                table: "ApiKeys",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "OnBehalfOfUserId",
                table: "ApiKeys",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeySecrets_GraceExpiresAt",
                table: "ApiKeySecrets",
                column: "GraceExpiresAt",
                filter: "\"GraceExpiresAt\" IS NOT NULL AND \"RevocationMarkedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_AuthorizationId",
                table: "ApiKeys",
                column: "AuthorizationId",
                filter: "\"AuthorizationId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_WorkspaceId_OnBehalfOfUserId",
                table: "ApiKeys",
                columns: new[] { "WorkspaceId", "OnBehalfOfUserId" },
                filter: "\"OnBehalfOfUserId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ApiKeySecrets_GraceExpiresAt",
                table: "ApiKeySecrets");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_AuthorizationId",
                table: "ApiKeys");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_WorkspaceId_OnBehalfOfUserId",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "RevocationMarkedAt",
                table: "ApiKeySecrets");

            migrationBuilder.DropColumn(
                name: "AuthorizationId",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "OnBehalfOfUserId",
                table: "ApiKeys");
        }
    }
}
