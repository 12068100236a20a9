using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AlyAspire.KeyService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class AuditDelivery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ActorKind",
                table: "ApiKeyAuditRecords",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DeliveredAt",
                table: "ApiKeyAuditRecords",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Detail",
                table: "ApiKeyAuditRecords",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeyAuditRecords_Undelivered",
                table: "ApiKeyAuditRecords",
                column: "Id",
                filter: "\"DeliveredAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ApiKeyAuditRecords_Undelivered",
                table: "ApiKeyAuditRecords");

            migrationBuilder.DropColumn(
                name: "ActorKind",
                table: "ApiKeyAuditRecords");

            migrationBuilder.DropColumn(
                name: "DeliveredAt",
                table: "ApiKeyAuditRecords");

            migrationBuilder.DropColumn(
                name: "Detail",
                table: "ApiKeyAuditRecords");
        }
    }
}
