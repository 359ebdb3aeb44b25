import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A task write that no webhook watches and that holds no reminder runs none of #31's triggers
 * (docs/reminders.md, "What a write pays"; bench/README.md).
 *
 * Before, every write queued `webhook_task_event` (an `AFTER` row trigger: the event is queued, the
 * rows are fetched again at the end of the statement and a plpgsql function runs, only to find no
 * watcher) and every toggle or due-date change `reminders_follow_task` (to find no reminder). Now:
 *
 * - `tasks.notify` (internal) says what a write of the task must tell: bit 1, some webhook watches
 *   its list; bit 2, someone has set a reminder on it. The `AFTER` triggers' `WHEN` clauses read it,
 *   so a write with neither bit calls no function (a `WHEN` is evaluated in C, before anything is
 *   queued).
 * - `lists.watched` (internal): some row of `webhook_watchers` names the list. `task_change()` reads
 *   it with the owner it already reads on an insert or a move, under `FOR SHARE`. The trigger on
 *   `webhook_watchers` flips it under the list's row lock, then writes bit 1 of every task of the
 *   list: an insert or a move into the list either waits for the flip and reads the new value, or
 *   commits first and is then written by it. Nothing else writes `lists.watched`, and `lists_feed`
 *   ignores that write (no list change for anyone).
 * - Bit 2 is set by a trigger on `reminders` when the first reminder on the task is set, and never
 *   cleared: a task whose reminders are all gone pays the trigger as before, and finds none.
 * - A write of `notify` alone (those two triggers) is no change of the task: `task_change()` gives
 *   it no change number, and nothing else fires (`version` stays).
 */
const TASK_EVENTS_WHEN = `OLD.version IS DISTINCT FROM NEW.version OR OLD.list_id IS DISTINCT FROM NEW.list_id`;
const REMINDER_FIELDS_WHEN = `OLD.due_date IS DISTINCT FROM NEW.due_date OR OLD.completed IS DISTINCT FROM NEW.completed OR OLD.list_id IS DISTINCT FROM NEW.list_id`;

/** `task_change()` as SharedSync left it, and (with `flags`) reading and keeping `notify`. */
const taskChange = (flags: boolean) => `
      CREATE OR REPLACE FUNCTION "task_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          INSERT INTO task_tombstones (user_id, seq, id, list_id)
            VALUES (OLD.owner_id, task_counted(OLD.owner_id, -1, -(OLD.completed::int)), OLD.id, OLD.list_id);
          RETURN NULL;
        END IF;
        IF TG_OP = 'INSERT' THEN
          IF NEW.list_id IS NULL THEN
            NEW.list_id := inbox_of(NEW.user_id);
          END IF;
          ${
            flags
              ? 'SELECT owner_id, watched::int INTO NEW.owner_id, NEW.notify FROM lists WHERE id = NEW.list_id FOR SHARE;'
              : 'SELECT owner_id INTO NEW.owner_id FROM lists WHERE id = NEW.list_id;'
          }
          NEW.seq := task_counted(NEW.owner_id, 1, NEW.completed::int);
          RETURN NEW;
        END IF;${
          flags
            ? `
        IF NEW.notify IS DISTINCT FROM OLD.notify AND NEW.list_id IS NOT DISTINCT FROM OLD.list_id THEN
          -- The flags alone (the triggers on webhook_watchers and reminders): no change of the task.
          RETURN NEW;
        END IF;`
            : ''
        }
        IF NEW.user_id IS DISTINCT FROM OLD.user_id THEN
          RAISE EXCEPTION 'a task cannot change its user';
        END IF;
        IF NEW.list_id IS DISTINCT FROM OLD.list_id THEN
          ${
            flags
              ? `SELECT owner_id, (OLD.notify & 2) | watched::int INTO NEW.owner_id, NEW.notify
            FROM lists WHERE id = NEW.list_id FOR SHARE;`
              : 'SELECT owner_id INTO NEW.owner_id FROM lists WHERE id = NEW.list_id;'
          }
        END IF;
        IF NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
          -- Into another owner's sequence, new there. Moved to another list: gone from the old one (a
          -- tombstone). The same list changing hands (a transfer): its members still see it, so
          -- there is no one to tell; only the counts leave the old owner.
          IF NEW.list_id IS DISTINCT FROM OLD.list_id THEN
            INSERT INTO task_tombstones (user_id, seq, id, list_id)
              VALUES (OLD.owner_id, task_counted(OLD.owner_id, -1, -(OLD.completed::int)), OLD.id, OLD.list_id);
          ELSE
            PERFORM task_counted(OLD.owner_id, -1, -(OLD.completed::int));
          END IF;
          NEW.seq := task_counted(NEW.owner_id, 1, NEW.completed::int);
          RETURN NEW;
        END IF;
        IF NEW.list_id IS DISTINCT FROM OLD.list_id THEN
          -- Another list of the same owner: gone from the old list for those who cannot see the new one.
          INSERT INTO task_tombstones (user_id, seq, id, list_id)
            VALUES (OLD.owner_id, task_counted(OLD.owner_id, 0, 0), OLD.id, OLD.list_id);
        END IF;
        NEW.seq := task_counted(NEW.owner_id, 0, NEW.completed::int - OLD.completed::int);
        RETURN NEW;
      END $$`;

export class NotifyFlags1796700000005 implements MigrationInterface {
  name = 'NotifyFlags1796700000005';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tasks" ADD COLUMN "notify" smallint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "lists" ADD COLUMN "watched" boolean NOT NULL DEFAULT false`);
    await q.query(taskChange(true));

    // The list's flag and its tasks' bit 1 follow its watchers, under the list's row lock.
    await q.query(`
      CREATE FUNCTION "webhook_watch_flag"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        target uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.list_id ELSE NEW.list_id END;
        was boolean;
        now_watched boolean;
      BEGIN
        SELECT watched INTO was FROM lists WHERE id = target FOR NO KEY UPDATE;
        IF NOT FOUND THEN
          RETURN NULL; -- the list is being deleted
        END IF;
        now_watched := EXISTS (SELECT 1 FROM webhook_watchers WHERE list_id = target);
        IF now_watched IS DISTINCT FROM was THEN
          UPDATE lists SET watched = now_watched WHERE id = target;
          UPDATE tasks SET notify = CASE WHEN now_watched THEN notify | 1 ELSE notify & ~1 END
           WHERE list_id = target AND (notify & 1 = 1) IS DISTINCT FROM now_watched;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER "webhook_watch_flag" AFTER INSERT OR DELETE ON "webhook_watchers"
        FOR EACH ROW EXECUTE FUNCTION "webhook_watch_flag"()`);
    await q.query(`
      CREATE FUNCTION "reminders_flag_task"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE tasks SET notify = notify | 2 WHERE id = NEW.task_id AND notify & 2 = 0;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER "reminders_flag_task" AFTER INSERT ON "reminders"
        FOR EACH ROW EXECUTE FUNCTION "reminders_flag_task"()`);
    // A write of lists.watched alone is no change of the list for its members.
    await q.query(`DROP TRIGGER "lists_feed" ON "lists"`);
    await q.query(`CREATE TRIGGER "lists_feed" AFTER UPDATE ON "lists"
      FOR EACH ROW WHEN (OLD.watched IS NOT DISTINCT FROM NEW.watched) EXECUTE FUNCTION list_feed_change()`);

    // The triggers on tasks, behind the flags.
    await q.query(`DROP TRIGGER "tasks_webhook_write" ON "tasks"`);
    await q.query(`DROP TRIGGER "tasks_webhook_update" ON "tasks"`);
    await q.query(`DROP TRIGGER "reminders_follow_task" ON "tasks"`);
    await q.query(`
      CREATE TRIGGER "tasks_webhook_insert" AFTER INSERT ON "tasks"
        FOR EACH ROW WHEN (NEW.notify & 1 = 1) EXECUTE FUNCTION "webhook_task_event"()`);
    await q.query(`
      CREATE TRIGGER "tasks_webhook_delete" AFTER DELETE ON "tasks"
        FOR EACH ROW WHEN (OLD.notify & 1 = 1) EXECUTE FUNCTION "webhook_task_event"()`);
    // A move is always looked at: the old list's watchers get a task.deleted.
    await q.query(`
      CREATE TRIGGER "tasks_webhook_update" AFTER UPDATE ON "tasks"
        FOR EACH ROW WHEN ((NEW.notify & 1 = 1 AND OLD.version IS DISTINCT FROM NEW.version)
                           OR OLD.list_id IS DISTINCT FROM NEW.list_id)
        EXECUTE FUNCTION "webhook_task_event"()`);
    await q.query(`
      CREATE TRIGGER "reminders_follow_task" AFTER UPDATE OF "due_date", "completed", "list_id" ON "tasks"
        FOR EACH ROW WHEN (NEW.notify & 2 = 2 AND (${REMINDER_FIELDS_WHEN}))
        EXECUTE FUNCTION "reminders_follow_task"()`);

    // What is there already.
    await q.query(
      `UPDATE "lists" SET "watched" = true WHERE "id" IN (SELECT "list_id" FROM "webhook_watchers")`,
    );
    await q.query(`
      UPDATE "tasks" SET "notify" = "notify" | 1
       WHERE "list_id" IN (SELECT "id" FROM "lists" WHERE "watched")`);
    await q.query(
      `UPDATE "tasks" SET "notify" = "notify" | 2 WHERE "id" IN (SELECT "task_id" FROM "reminders")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "reminders_follow_task" ON "tasks"`);
    await q.query(`DROP TRIGGER IF EXISTS "tasks_webhook_update" ON "tasks"`);
    await q.query(`DROP TRIGGER IF EXISTS "tasks_webhook_delete" ON "tasks"`);
    await q.query(`DROP TRIGGER IF EXISTS "tasks_webhook_insert" ON "tasks"`);
    await q.query(`
      CREATE TRIGGER "reminders_follow_task" AFTER UPDATE OF "due_date", "completed", "list_id" ON "tasks"
        FOR EACH ROW WHEN (${REMINDER_FIELDS_WHEN})
        EXECUTE FUNCTION "reminders_follow_task"()`);
    await q.query(`
      CREATE TRIGGER "tasks_webhook_write" AFTER INSERT OR DELETE ON "tasks"
        FOR EACH ROW EXECUTE FUNCTION "webhook_task_event"()`);
    await q.query(`
      CREATE TRIGGER "tasks_webhook_update" AFTER UPDATE ON "tasks"
        FOR EACH ROW WHEN (${TASK_EVENTS_WHEN})
        EXECUTE FUNCTION "webhook_task_event"()`);
    await q.query(`DROP TRIGGER IF EXISTS "lists_feed" ON "lists"`);
    await q.query(`CREATE TRIGGER "lists_feed" AFTER UPDATE ON "lists"
      FOR EACH ROW EXECUTE FUNCTION list_feed_change()`);
    await q.query(`DROP TRIGGER IF EXISTS "reminders_flag_task" ON "reminders"`);
    await q.query(`DROP FUNCTION IF EXISTS "reminders_flag_task"()`);
    await q.query(`DROP TRIGGER IF EXISTS "webhook_watch_flag" ON "webhook_watchers"`);
    await q.query(`DROP FUNCTION IF EXISTS "webhook_watch_flag"()`);
    await q.query(taskChange(false));
    await q.query(`ALTER TABLE "lists" DROP COLUMN IF EXISTS "watched"`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN IF EXISTS "notify"`);
  }
}
