import { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyKeys1795722032667 implements MigrationInterface {
  name = 'IdempotencyKeys1795722032667';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("user_id" character varying(255) NOT NULL, "key" character varying(255) NOT NULL, "request_hash" character(64) NOT NULL, "status" smallint NOT NULL, "body" jsonb NOT NULL, "headers" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "pk_idempotency_keys" PRIMARY KEY ("user_id", "key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_idempotency_keys_expires_at" ON "idempotency_keys"  ("expires_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_idempotency_keys_expires_at"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
