import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incremental sync: every change to a task takes the next value of its user's change sequence,
 * and a deletion leaves a tombstone.
 *
 * - `task_counts.seq`: the end of the numbers handed out for the user so far. `task_counted(user,
 *   Δtotal, Δcompleted)`, called by the row-level trigger `task_change` for every insert, update and
 *   delete, gives the row its number: the first time a transaction touches a user it bumps that
 *   user's counter row by a block of SEQ_BLOCK numbers and applies the counts in the same upsert
 *   (locking the row until commit); later rows of the same transaction take the next numbers of
 *   the block from a transaction-local setting and keep their counts pending there, and the
 *   statement-level trigger `task_counts_flush` writes pending counts once per statement. So one
 *   user's writers number and commit in turn (no reader can see change N+1 while N is
 *   uncommitted), other users never wait, a single-row write costs one upsert as before, and a bulk
 *   write of 100 000 rows bumps the row about 100 times, not 100 000 (updating one row over and
 *   over in one transaction is quadratic). Numbers left at the end of a block are never used:
 *   tokens only need order, not density. The task limit (TaskLimit) is checked here, exactly as
 *   before: against the total the locked row holds plus what this transaction added.
 * - `tasks.seq` (unique per user): the number of the task's latest change, stamped before each
 *   insert and update; existing tasks are numbered in `updated_at` order.
 * - `task_tombstones` (user, seq, id, deleted_at), written after each delete (cascaded ones
 *   included); `task_counts.pruned_seq`: the highest number among tombstones swept after
 *   SYNC_RETENTION_DAYS (a sync token whose floor is below it is 410).
 *
 * Two limits: counts are taken in the BEFORE trigger, so an `INSERT … ON CONFLICT DO NOTHING` on
 * tasks would count a row it skipped (the app has none); and a statement over several users locks
 * their counter rows in the order it meets them, so two such statements can deadlock (40P01, retried
 * by the app as 503); every request writes one user.
 */
const SEQ_BLOCK = 1000;
/**
 * Transaction-local settings `tasks.seq_0` … `tasks.seq_255` cache the blocks (a user's slot is
 * `hashtext(user) & 255`): a fixed set of names, because a session keeps every setting name it ever
 * saw (one per user would grow without end on a pooled connection). Two users of one transaction
 * that share a slot take turns: the newcomer writes the other's pending counts and takes a block.
 */
const SLOTS = 256;

export class ChangeSequence1796100000000 implements MigrationInterface {
  name = 'ChangeSequence1796100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "task_counts" ADD "seq" bigint NOT NULL DEFAULT 0, ADD "pruned_seq" bigint NOT NULL DEFAULT 0`,
    );
    await q.query(`ALTER TABLE "tasks" ADD "seq" bigint`);
    await q.query(
      `UPDATE "tasks" t SET "seq" = r.n
         FROM (SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY updated_at, id) AS n FROM "tasks") r
        WHERE t.id = r.id`,
    );
    await q.query(
      `UPDATE "task_counts" c SET "seq" = m.seq FROM (SELECT user_id, max(seq) AS seq FROM "tasks" GROUP BY user_id) m
        WHERE c.user_id = m.user_id`,
    );
    await q.query(`ALTER TABLE "tasks" ALTER COLUMN "seq" SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX "ux_tasks_user_seq" ON "tasks" ("user_id", "seq")`);
    await q.query(`
      CREATE TABLE "task_tombstones" (
        "user_id" varchar(255) NOT NULL,
        "seq" bigint NOT NULL,
        "id" uuid NOT NULL,
        "deleted_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "pk_task_tombstones" PRIMARY KEY ("user_id", "seq")
      )`);
    await q.query(`CREATE INDEX "ix_task_tombstones_deleted_at" ON "task_tombstones" ("deleted_at")`);
    for (const t of ['tasks_count_insert', 'tasks_count_update', 'tasks_count_delete'])
      await q.query(`DROP TRIGGER "${t}" ON "tasks"`);
    await q.query(`
      CREATE FUNCTION "task_counted"(owner varchar, dt bigint, dc bigint) RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        slot text := 'tasks.seq_' || (hashtext(owner) & ${SLOTS - 1});
        parts text[] := string_to_array(nullif(current_setting(slot, true), ''), ':');
        given bigint;
        upto bigint;
        total bigint;
        pending_t bigint := dt;
        pending_c bigint := dc;
        lim bigint := nullif(current_setting('tasks.max_per_user', true), '')::bigint;
      BEGIN
        IF parts IS NOT NULL AND array_to_string(parts[6:], ':') = owner THEN
          given := parts[1]::bigint;
          upto := parts[2]::bigint;
          pending_t := parts[3]::bigint + dt;
          pending_c := parts[4]::bigint + dc;
          total := parts[5]::bigint;
          IF given <= upto THEN
            IF dt > 0 AND total + pending_t > lim THEN
              RAISE EXCEPTION 'task limit reached' USING ERRCODE = 'TKLIM';
            END IF;
            PERFORM set_config(slot, concat_ws(':', given + 1, upto, pending_t, pending_c, total, owner), true);
            IF pending_t <> 0 OR pending_c <> 0 THEN
              PERFORM set_config('tasks.seq_pending', 'y', true);
            END IF;
            RETURN given;
          END IF;
        ELSIF parts IS NOT NULL THEN
          -- The slot holds another user of this transaction: write that user's pending counts now.
          PERFORM task_counts_settle(slot, parts);
        END IF;
        INSERT INTO task_counts AS c (user_id, total, completed, seq) VALUES (owner, pending_t, pending_c, ${SEQ_BLOCK})
        ON CONFLICT (user_id) DO UPDATE
          SET total = c.total + pending_t, completed = c.completed + pending_c, seq = c.seq + ${SEQ_BLOCK}
        RETURNING c.total, c.seq INTO total, upto;
        IF dt > 0 AND total > lim THEN
          RAISE EXCEPTION 'task limit reached' USING ERRCODE = 'TKLIM';
        END IF;
        given := upto - ${SEQ_BLOCK - 1};
        PERFORM set_config(slot, concat_ws(':', given + 1, upto, 0, 0, total, owner), true);
        RETURN given;
      END $$`);
    // Writes the pending counts a slot holds (given:upto:Δtotal:Δcompleted:total:user) to its user's row.
    await q.query(`
      CREATE FUNCTION "task_counts_settle"(slot text, parts text[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF parts[3] <> '0' OR parts[4] <> '0' THEN
          UPDATE task_counts c SET total = c.total + parts[3]::bigint, completed = c.completed + parts[4]::bigint
           WHERE c.user_id = array_to_string(parts[6:], ':');
          PERFORM set_config(slot, concat_ws(':', parts[1], parts[2], 0, 0, parts[5]::bigint + parts[3]::bigint,
            array_to_string(parts[6:], ':')), true);
        END IF;
      END $$`);
    // After each statement that left counts pending: write them, slot by slot (a slot that is not
    // set, NULL parts, writes nothing).
    await q.query(`
      CREATE FUNCTION "task_counts_flush"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        slot text;
      BEGIN
        IF nullif(current_setting('tasks.seq_pending', true), '') IS NULL THEN
          RETURN NULL;
        END IF;
        PERFORM set_config('tasks.seq_pending', '', true);
        FOR i IN 0..${SLOTS - 1} LOOP
          slot := 'tasks.seq_' || i;
          PERFORM task_counts_settle(slot, string_to_array(nullif(current_setting(slot, true), ''), ':'));
        END LOOP;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION "task_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          INSERT INTO task_tombstones (user_id, seq, id)
            VALUES (OLD.user_id, task_counted(OLD.user_id, -1, -(OLD.completed::int)), OLD.id);
          RETURN NULL;
        END IF;
        IF TG_OP = 'INSERT' THEN
          NEW.seq := task_counted(NEW.user_id, 1, NEW.completed::int);
          RETURN NEW;
        END IF;
        IF NEW.user_id IS DISTINCT FROM OLD.user_id THEN
          RAISE EXCEPTION 'a task cannot change its user';
        END IF;
        NEW.seq := task_counted(NEW.user_id, 0, NEW.completed::int - OLD.completed::int);
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER "tasks_counts_flush" AFTER INSERT OR UPDATE OR DELETE ON "tasks"
      FOR EACH STATEMENT EXECUTE FUNCTION task_counts_flush()`);
    await q.query(`CREATE TRIGGER "tasks_change_write" BEFORE INSERT OR UPDATE ON "tasks"
      FOR EACH ROW EXECUTE FUNCTION task_change()`);
    await q.query(`CREATE TRIGGER "tasks_change_delete" AFTER DELETE ON "tasks"
      FOR EACH ROW EXECUTE FUNCTION task_change()`);
    // TRUNCATE (tests, benchmarks) zeroes the counts but keeps each user's sequence going (a token
    // must never see numbers again), one past every token from before, which all expire (410): the
    // deletions are gone. A full sync after it starts at the new head, which is not expired.
    await q.query(`
      CREATE OR REPLACE FUNCTION "task_counts_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE task_counts SET total = 0, completed = 0, seq = seq + 1, pruned_seq = seq + 1;
        DELETE FROM task_tombstones;
        RETURN NULL;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "tasks_change_delete" ON "tasks"`);
    await q.query(`DROP TRIGGER IF EXISTS "tasks_change_write" ON "tasks"`);
    await q.query(`DROP FUNCTION IF EXISTS "task_change"()`);
    await q.query(`DROP TRIGGER IF EXISTS "tasks_counts_flush" ON "tasks"`);
    await q.query(`DROP FUNCTION IF EXISTS "task_counts_flush"()`);
    await q.query(`DROP FUNCTION IF EXISTS "task_counts_settle"(text, text[])`);
    await q.query(`DROP FUNCTION IF EXISTS "task_counted"(varchar, bigint, bigint)`);
    await q.query(`CREATE TRIGGER "tasks_count_insert" AFTER INSERT ON "tasks" REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply()`);
    await q.query(`CREATE TRIGGER "tasks_count_delete" AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply()`);
    await q.query(`CREATE TRIGGER "tasks_count_update" AFTER UPDATE ON "tasks"
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION "task_counts_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM task_counts;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TABLE IF EXISTS "task_tombstones"`);
    await q.query(`DROP INDEX IF EXISTS "ux_tasks_user_seq"`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN IF EXISTS "seq"`);
    await q.query(
      `ALTER TABLE "task_counts" DROP COLUMN IF EXISTS "seq", DROP COLUMN IF EXISTS "pruned_seq"`,
    );
  }
}
