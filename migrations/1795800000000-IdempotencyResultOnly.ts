import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An idempotency key keeps the result of its request (the created task), not an HTTP response:
 * status and headers are derived again from the result when it is replayed.
 */
export class IdempotencyResultOnly1795800000000 implements MigrationInterface {
  name = 'IdempotencyResultOnly1795800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "status", DROP COLUMN "headers"`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "idempotency_keys" ADD COLUMN "status" smallint NOT NULL DEFAULT 201, ADD COLUMN "headers" jsonb NOT NULL DEFAULT '{}'`,
    );
    await q.query(`ALTER TABLE "idempotency_keys" ALTER COLUMN "status" DROP DEFAULT`);
  }
}
