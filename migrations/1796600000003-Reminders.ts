import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reminders and the notification outbox (contract: "Reminders and notifications"; docs/reminders.md).
 *
 * - `reminders`: one user's reminder on one task, relative (`before_minutes` before `due_date`) or
 *   absolute (`at`), exactly one of the two. `next_fire_at` is when it fires next, or null when
 *   nothing is armed (fired, task completed, no due date). The database keeps it: the function
 *   `reminder_fire_time` is the one rule, used by the app's insert and by the triggers below, so a
 *   change of the task moves its reminders in the same transaction as the change itself.
 *   `ix_reminders_due` is what the firing sweep walks (`next_fire_at <= now()`, SKIP LOCKED).
 * - `reminder_fires`: one row per (reminder, occurrence) that came due: `fired` (a notification
 *   was written in the same transaction), `late` (more than REMINDER_MAX_LATE_MIN late: skipped)
 *   or `no_access` (the user could no longer see the task). Its primary key is what makes a
 *   reminder occurrence fire once, whatever the number of instances; `reminder_fire_time` never
 *   re-arms an occurrence that has a row here. Rows are swept a day after they stopped mattering
 *   (`ix_reminder_fires_fire_at`): by then an occurrence that came back would be recorded late anyway.
 * - Triggers: `reminders_follow_task` (AFTER UPDATE OF due_date, completed, list_id on tasks)
 *   re-arms or disarms the task's reminders (a recurring task advancing moves `due_date`, so its
 *   relative reminders come back for the next occurrence) and deletes those of users who are not
 *   members of the list the task moved to; `reminders_member_left` (AFTER DELETE on list_members)
 *   deletes the reminders the leaving member had on that list's tasks. A deleted task takes its
 *   reminders with it through the foreign key (ON DELETE CASCADE, in the same statement).
 * - `notifications`: the per-user outbox every channel reads (`seq` numbers one user's
 *   notifications 1, 2, 3…); `notification_counters` hands the numbers out: the firing transaction
 *   bumps the user's row, which it holds locked until commit, so one user's notifications commit
 *   in the order of their numbers and a reader following `seq` never skips one.
 */
export class Reminders1796600000003 implements MigrationInterface {
  name = 'Reminders1796600000003';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "reminders" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "task_id" uuid NOT NULL,
        "user_id" varchar(255) NOT NULL,
        "before_minutes" integer,
        "at" timestamptz(3),
        "next_fire_at" timestamptz(3),
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "pk_reminders" PRIMARY KEY ("id"),
        CONSTRAINT "fk_reminders_task" FOREIGN KEY ("task_id") REFERENCES "tasks" ("id") ON DELETE CASCADE,
        CONSTRAINT "ck_reminders_kind" CHECK (("before_minutes" IS NULL) <> ("at" IS NULL)),
        CONSTRAINT "ck_reminders_before" CHECK ("before_minutes" BETWEEN 0 AND 40320)
      )`);
    await q.query(`CREATE INDEX "ix_reminders_task_user" ON "reminders" ("task_id", "user_id")`);
    await q.query(`CREATE INDEX "ix_reminders_user_task" ON "reminders" ("user_id", "task_id")`);
    await q.query(
      `CREATE INDEX "ix_reminders_due" ON "reminders" ("next_fire_at") WHERE "next_fire_at" IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE "reminder_fires" (
        "reminder_id" uuid NOT NULL,
        "occurrence" timestamptz(3) NOT NULL,
        "fire_at" timestamptz(3) NOT NULL,
        "outcome" varchar(10) NOT NULL,
        "recorded_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "pk_reminder_fires" PRIMARY KEY ("reminder_id", "occurrence"),
        CONSTRAINT "fk_reminder_fires_reminder" FOREIGN KEY ("reminder_id") REFERENCES "reminders" ("id") ON DELETE CASCADE,
        CONSTRAINT "ck_reminder_fires_outcome" CHECK ("outcome" IN ('fired', 'late', 'no_access'))
      )`);
    await q.query(`CREATE INDEX "ix_reminder_fires_fire_at" ON "reminder_fires" ("fire_at")`);
    await q.query(`
      CREATE FUNCTION "reminder_fire_time"(reminder uuid, before_minutes integer, at timestamptz, due timestamptz, completed boolean)
      RETURNS timestamptz LANGUAGE sql STABLE AS $$
        SELECT CASE
          WHEN completed OR COALESCE(at, due) IS NULL THEN NULL
          WHEN EXISTS (SELECT 1 FROM reminder_fires f WHERE f.reminder_id = reminder AND f.occurrence = COALESCE(at, due)) THEN NULL
          ELSE COALESCE(at, due - make_interval(mins => before_minutes))
        END
      $$`);
    await q.query(`
      CREATE FUNCTION "reminders_follow_task"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.list_id IS DISTINCT FROM OLD.list_id THEN
          DELETE FROM reminders r WHERE r.task_id = NEW.id
             AND NOT EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = NEW.list_id AND m.user_id = r.user_id);
        END IF;
        UPDATE reminders r
           SET next_fire_at = reminder_fire_time(r.id, r.before_minutes, r.at, NEW.due_date, NEW.completed)
         WHERE r.task_id = NEW.id
           AND r.next_fire_at IS DISTINCT FROM reminder_fire_time(r.id, r.before_minutes, r.at, NEW.due_date, NEW.completed);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER "reminders_follow_task" AFTER UPDATE OF "due_date", "completed", "list_id" ON "tasks"
        FOR EACH ROW WHEN (OLD.due_date IS DISTINCT FROM NEW.due_date OR OLD.completed IS DISTINCT FROM NEW.completed
                           OR OLD.list_id IS DISTINCT FROM NEW.list_id)
        EXECUTE FUNCTION "reminders_follow_task"()`);
    await q.query(`
      CREATE FUNCTION "reminders_member_left"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM reminders r USING tasks t
         WHERE r.user_id = OLD.user_id AND t.id = r.task_id AND t.list_id = OLD.list_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER "reminders_member_left" AFTER DELETE ON "list_members"
        FOR EACH ROW EXECUTE FUNCTION "reminders_member_left"()`);
    await q.query(`
      CREATE TABLE "notification_counters" (
        "user_id" varchar(255) NOT NULL,
        "seq" bigint NOT NULL,
        CONSTRAINT "pk_notification_counters" PRIMARY KEY ("user_id")
      )`);
    await q.query(`
      CREATE TABLE "notifications" (
        "user_id" varchar(255) NOT NULL,
        "seq" bigint NOT NULL,
        "id" uuid NOT NULL,
        "type" varchar(32) NOT NULL,
        "body" jsonb NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "pk_notifications" PRIMARY KEY ("user_id", "seq"),
        CONSTRAINT "ux_notifications_id" UNIQUE ("id")
      )`);
    await q.query(`CREATE INDEX "ix_notifications_created_at" ON "notifications" ("created_at")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "notifications"`);
    await q.query(`DROP TABLE IF EXISTS "notification_counters"`);
    await q.query(`DROP TRIGGER IF EXISTS "reminders_member_left" ON "list_members"`);
    await q.query(`DROP FUNCTION IF EXISTS "reminders_member_left"()`);
    await q.query(`DROP TRIGGER IF EXISTS "reminders_follow_task" ON "tasks"`);
    await q.query(`DROP FUNCTION IF EXISTS "reminders_follow_task"()`);
    await q.query(`DROP TABLE IF EXISTS "reminder_fires"`);
    await q.query(
      `DROP FUNCTION IF EXISTS "reminder_fire_time"(uuid, integer, timestamptz, timestamptz, boolean)`,
    );
    await q.query(`DROP TABLE IF EXISTS "reminders"`);
  }
}
