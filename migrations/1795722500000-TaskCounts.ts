import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-user task counts kept by triggers, so `X-Total-Count` of an unfiltered (or status-only)
 * listing and the stats totals are one row read instead of a count over every task of the user.
 * Statement-level triggers with transition tables: a multi-row INSERT (bulk import, seeding) is
 * one upsert per user, and an UPDATE that changes neither `user_id` nor `completed` (a rename, a
 * retag) touches no counter row at all. TRUNCATE empties the counters.
 * Plus a partial index for `overdue` (pending tasks by due date).
 */
export class TaskCounts1795722500000 implements MigrationInterface {
  name = 'TaskCounts1795722500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "task_counts" (
        "user_id" varchar(255) NOT NULL,
        "total" bigint NOT NULL DEFAULT 0,
        "completed" bigint NOT NULL DEFAULT 0,
        CONSTRAINT "pk_task_counts" PRIMARY KEY ("user_id")
      )`);
    await q.query(`
      CREATE FUNCTION "task_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO task_counts AS c (user_id, total, completed)
            SELECT user_id, count(*), count(*) FILTER (WHERE completed) FROM new_rows GROUP BY user_id ORDER BY user_id
          ON CONFLICT (user_id) DO UPDATE SET total = c.total + EXCLUDED.total, completed = c.completed + EXCLUDED.completed;
        ELSIF TG_OP = 'DELETE' THEN
          INSERT INTO task_counts AS c (user_id, total, completed)
            SELECT user_id, -count(*), -count(*) FILTER (WHERE completed) FROM old_rows GROUP BY user_id ORDER BY user_id
          ON CONFLICT (user_id) DO UPDATE SET total = c.total + EXCLUDED.total, completed = c.completed + EXCLUDED.completed;
        ELSE
          INSERT INTO task_counts AS c (user_id, total, completed)
            SELECT user_id, sum(dt), sum(dc) FROM (
              SELECT user_id, 1 AS dt, completed::int AS dc FROM new_rows
              UNION ALL
              SELECT user_id, -1, -(completed::int) FROM old_rows
            ) d
            GROUP BY user_id HAVING sum(dt) <> 0 OR sum(dc) <> 0 ORDER BY user_id
          ON CONFLICT (user_id) DO UPDATE SET total = c.total + EXCLUDED.total, completed = c.completed + EXCLUDED.completed;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION "task_counts_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM task_counts;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "tasks_count_insert" AFTER INSERT ON "tasks" REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply()`);
    await q.query(`CREATE TRIGGER "tasks_count_delete" AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply()`);
    await q.query(`CREATE TRIGGER "tasks_count_update" AFTER UPDATE ON "tasks"
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply()`);
    await q.query(`CREATE TRIGGER "tasks_count_truncate" AFTER TRUNCATE ON "tasks"
      FOR EACH STATEMENT EXECUTE FUNCTION task_counts_truncate()`);
    await q.query(`
      INSERT INTO task_counts (user_id, total, completed)
      SELECT user_id, count(*), count(*) FILTER (WHERE completed) FROM tasks GROUP BY user_id`);
    await q.query(
      `CREATE INDEX "ix_tasks_user_overdue" ON "tasks" ("user_id", "due_date") WHERE NOT "completed"`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "ix_tasks_user_overdue"`);
    for (const t of [
      'tasks_count_truncate',
      'tasks_count_update',
      'tasks_count_delete',
      'tasks_count_insert',
    ]) {
      await q.query(`DROP TRIGGER IF EXISTS "${t}" ON "tasks"`);
    }
    await q.query(`DROP FUNCTION IF EXISTS "task_counts_truncate"()`);
    await q.query(`DROP FUNCTION IF EXISTS "task_counts_apply"()`);
    await q.query(`DROP TABLE IF EXISTS "task_counts"`);
  }
}
