import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Native clients over CalDAV (contract "Native clients (CalDAV)"; docs/caldav.md).
 *
 * - `app_passwords`: what a CalDAV client signs in with (HTTP Basic), made by a signed-in user. The
 *   password is shown once and stored only as a slow hash (`hash`: `scrypt$N$r$p$salt$key`, the
 *   parameters with it); `lookup` is its first characters, random and not secret, so a sign-in
 *   checks one hash, not every one of the user's. `last_used_at` moves at most once a minute.
 * - `ix_users_email_lower`: a client may sign in with the email the users directory learnt from
 *   the user's tokens instead of their id.
 * - `dav_resources`: what a CalDAV client wrote of a task that the API does not model, and where:
 *   the resource's name in its collection (`name`, the client's own, e.g. `<its uid>.ics`), its
 *   iCalendar `uid`, the UID its RELATED-TO names as parent (`parent_uid`), and `ics`, the
 *   VCALENDAR as last rendered at task version `version` (the client's unknown properties and
 *   components in it). A task without a row is `<task id>.ics` with UID = its id. No foreign key:
 *   a deleted task's row stays (`deleted_at`, its `ics` dropped) so that `sync-collection` can
 *   name the resource the client knew; rows are swept once such tokens have expired.
 */
export class CalDav1796700000001 implements MigrationInterface {
  name = 'CalDav1796700000001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "app_passwords" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" varchar(255) NOT NULL,
        "name" varchar(100) NOT NULL,
        "lookup" varchar(8) NOT NULL,
        "hash" varchar(255) NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "last_used_at" timestamptz(3),
        CONSTRAINT "pk_app_passwords" PRIMARY KEY ("id"),
        CONSTRAINT "ck_app_passwords_name_length" CHECK (char_length("name") BETWEEN 1 AND 100)
      )`);
    await q.query(`CREATE INDEX "ix_app_passwords_user_lookup" ON "app_passwords" ("user_id", "lookup")`);
    await q.query(`CREATE INDEX "ix_users_email_lower" ON "users" (lower("email"))`);
    await q.query(`
      CREATE TABLE "dav_resources" (
        "task_id" uuid NOT NULL,
        "name" varchar(255) NOT NULL,
        "uid" varchar(255) NOT NULL,
        "parent_uid" varchar(255),
        "ics" text,
        "version" integer NOT NULL,
        "deleted_at" timestamptz(3),
        CONSTRAINT "pk_dav_resources" PRIMARY KEY ("task_id")
      )`);
    await q.query(`CREATE INDEX "ix_dav_resources_name" ON "dav_resources" ("name")`);
    await q.query(`CREATE INDEX "ix_dav_resources_uid" ON "dav_resources" ("uid")`);
    await q.query(
      `CREATE INDEX "ix_dav_resources_deleted" ON "dav_resources" ("deleted_at") WHERE "deleted_at" IS NOT NULL`,
    );
    // Once per statement (a list's deletion, clear completed: one UPDATE for all their tasks).
    await q.query(`
      CREATE FUNCTION "dav_resources_gone"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE dav_resources r SET deleted_at = now(), ics = NULL FROM gone WHERE r.task_id = gone.id;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "tasks_dav_gone" AFTER DELETE ON "tasks"
      REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION dav_resources_gone()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "tasks_dav_gone" ON "tasks"`);
    await q.query(`DROP FUNCTION IF EXISTS "dav_resources_gone"()`);
    await q.query(`DROP TABLE IF EXISTS "dav_resources"`);
    await q.query(`DROP INDEX IF EXISTS "ix_users_email_lower"`);
    await q.query(`DROP TABLE IF EXISTS "app_passwords"`);
  }
}
