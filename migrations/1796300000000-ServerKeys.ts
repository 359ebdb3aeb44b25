import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `server_keys`: secret keys the server holds, one row per purpose (`name`), the same for every
 * instance of the service. The app makes each key on first use (random, at least 32 bytes) with an
 * INSERT … ON CONFLICT DO NOTHING and then reads back what is stored, so instances starting together
 * all use the one stored first. The first: `sync-token`, the HMAC key of sync tokens.
 */
export class ServerKeys1796300000000 implements MigrationInterface {
  name = 'ServerKeys1796300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "server_keys" (
         "name" varchar(64) NOT NULL,
         "key" bytea NOT NULL,
         "created_at" timestamptz(3) NOT NULL DEFAULT now(),
         CONSTRAINT "pk_server_keys" PRIMARY KEY ("name"),
         CONSTRAINT "ck_server_keys_length" CHECK (octet_length("key") >= 32)
       )`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "server_keys"`);
  }
}
