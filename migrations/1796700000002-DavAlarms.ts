import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * VALARMs over CalDAV (contract "Native clients (CalDAV)": VALARM ↔ the user's reminders;
 * docs/caldav.md). Reminders are private, so a resource's VALARMs differ per user:
 *
 * - `dav_alarms` (task, user): `seq`, a number from the task owner's change sequence taken each time
 *   that user's reminders on the task change (trigger `reminders_dav_alarms`, whoever writes them:
 *   REST or CalDAV). A collection's `sync-collection` for that user reports the task as changed
 *   when `seq` lies after the token, and the resource's ETag carries it. Taken with
 *   `task_counted(owner, 0, 0)` like a task change, so it commits in sequence order and the sync
 *   token's head covers it; other readers of the owner's sequence just see a number no row has.
 *   `owner_id`: whose sequence `seq` is in (a task moved to another owner's list starts over).
 *   `alarms`: the VALARMs that user's client last wrote (jsonb array of iCalendar texts), so that
 *   what the mapping does not model (X- properties, ACKNOWLEDGED, the alarm's UID, alarms that
 *   are no reminder) comes back to the same user, and to nobody else.
 * - A deleted task takes its rows with it (foreign key); a reminder deleted by that cascade
 *   touches nothing (its task is gone).
 */
export class DavAlarms1796700000002 implements MigrationInterface {
  name = 'DavAlarms1796700000002';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "dav_alarms" (
        "task_id" uuid NOT NULL,
        "user_id" varchar(255) NOT NULL,
        "owner_id" varchar(255) NOT NULL,
        "seq" bigint NOT NULL,
        "alarms" jsonb,
        CONSTRAINT "pk_dav_alarms" PRIMARY KEY ("task_id", "user_id"),
        CONSTRAINT "fk_dav_alarms_task" FOREIGN KEY ("task_id") REFERENCES "tasks" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "ix_dav_alarms_user_seq" ON "dav_alarms" ("user_id", "seq")`);
    await q.query(`
      CREATE FUNCTION "dav_alarms_touch"(task uuid, reader varchar) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        owner varchar;
      BEGIN
        SELECT owner_id INTO owner FROM tasks WHERE id = task;
        IF owner IS NOT NULL THEN
          INSERT INTO dav_alarms AS a (task_id, user_id, owner_id, seq)
            VALUES (task, reader, owner, task_counted(owner, 0, 0))
          ON CONFLICT (task_id, user_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, seq = EXCLUDED.seq;
        END IF;
      END $$`);
    await q.query(`
      CREATE FUNCTION "reminders_dav_alarms"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM dav_alarms_touch(OLD.task_id, OLD.user_id);
        ELSE
          PERFORM dav_alarms_touch(NEW.task_id, NEW.user_id);
        END IF;
        RETURN NULL;
      END $$`);
    // Reminders set before: each (task, user) gets its number now, so clients fetch their VALARMs once.
    await q.query(`
      INSERT INTO "dav_alarms" (task_id, user_id, owner_id, seq)
      SELECT r.task_id, r.user_id, t.owner_id, task_counted(t.owner_id, 0, 0)
        FROM (SELECT DISTINCT task_id, user_id FROM reminders) r JOIN tasks t ON t.id = r.task_id`);
    await q.query(`
      CREATE TRIGGER "reminders_dav_alarms" AFTER INSERT OR DELETE OR UPDATE OF "before_minutes", "at" ON "reminders"
        FOR EACH ROW EXECUTE FUNCTION "reminders_dav_alarms"()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "reminders_dav_alarms" ON "reminders"`);
    await q.query(`DROP FUNCTION IF EXISTS "reminders_dav_alarms"()`);
    await q.query(`DROP FUNCTION IF EXISTS "dav_alarms_touch"(uuid, varchar)`);
    await q.query(`DROP TABLE IF EXISTS "dav_alarms"`);
  }
}
