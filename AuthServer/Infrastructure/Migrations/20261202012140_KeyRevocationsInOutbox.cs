using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace AlyAspire.AuthServer.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class KeyRevocationsInOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Key revocations move into the one outbox (kind "key-revocations", KeyRevocationOutbox): the ones not yet
            // delivered are carried over, due at once, so none is lost with the old table.
            migrationBuilder.Sql("""
                INSERT INTO outbox_messages ("Id", "Kind", "Payload", "CreatedAt", "NextAttemptAt", "Attempts")
                SELECT gen_random_uuid(), 'key-revocations',
                       json_build_object('AuthorizationId', "AuthorizationId", 'WorkspaceId', "WorkspaceId", 'UserId', "UserId")::text,
                       "CreatedAt", now(), 0
                FROM key_revocation_outbox
                WHERE "DeliveredAt" IS NULL;
                """);
            migrationBuilder.DropTable(
                name: "key_revocation_outbox");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "key_revocation_outbox",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    AuthorizationId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DeliveredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: true),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_key_revocation_outbox", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_key_revocation_outbox_NextAttemptAt",
                table: "key_revocation_outbox",
                column: "NextAttemptAt",
                filter: "\"DeliveredAt\" IS NULL");
        }
    }
}
