import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An idempotency key keeps the result of its request (the created task), not an HTTP response:
 * status and headers are derived again from the result when it is replayed. The two columns stay,
 * with defaults, so that instances of the previous release (which still write them) keep working
 * during a rolling deploy; a later release drops them.
 */
export class IdempotencyResultOnly1795800000000 implements MigrationInterface {
  name = 'IdempotencyResultOnly1795800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "idempotency_keys" ALTER COLUMN "status" SET DEFAULT 201`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "idempotency_keys" ALTER COLUMN "status" DROP DEFAULT`);
  }
}
