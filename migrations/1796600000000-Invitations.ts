import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invitations into a list (contract "Lists and sharing"): `list_invitations` holds each open
 * invitation with the SHA-256 of its token only (the token itself is shown once, to the owner who
 * made it), the role it grants, the email it is bound to (lower-cased; null: anyone signed in),
 * who made it and when it expires. An invitation is single-use: accepting or revoking deletes its
 * row, so a used, revoked and unknown token are the same absence; an expired one is never read
 * (every statement asks for `expires_at > now()`) and is deleted by a periodic sweep
 * (`ix_list_invitations_expires`).
 */
export class Invitations1796600000000 implements MigrationInterface {
  name = 'Invitations1796600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "list_invitations" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "list_id" uuid NOT NULL,
        "token_hash" bytea NOT NULL,
        "role" varchar(10) NOT NULL,
        "email" varchar(320),
        "inviter_id" varchar(255) NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "expires_at" timestamptz(3) NOT NULL,
        CONSTRAINT "pk_list_invitations" PRIMARY KEY ("id"),
        CONSTRAINT "ux_list_invitations_token" UNIQUE ("token_hash"),
        CONSTRAINT "fk_list_invitations_list" FOREIGN KEY ("list_id") REFERENCES "lists" ("id") ON DELETE CASCADE,
        CONSTRAINT "ck_list_invitations_role" CHECK ("role" IN ('editor', 'viewer')),
        CONSTRAINT "ck_list_invitations_email" CHECK ("email" = lower("email"))
      )`);
    await q.query(
      `CREATE INDEX "ix_list_invitations_list" ON "list_invitations" ("list_id", "created_at", "id")`,
    );
    await q.query(`CREATE INDEX "ix_list_invitations_expires" ON "list_invitations" ("expires_at")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "list_invitations"`);
  }
}
