import type { MigrationInterface, QueryRunner } from 'typeorm';

/** task_counts_apply() as TaskCounts made it, with `check` in its INSERT branch (empty: none). */
const applyFunction = (check: string) => `
  CREATE OR REPLACE FUNCTION "task_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    top bigint;
  BEGIN
    IF TG_OP = 'INSERT' THEN
      WITH up AS (
        INSERT INTO task_counts AS c (user_id, total, completed)
          SELECT user_id, count(*), count(*) FILTER (WHERE completed) FROM new_rows GROUP BY user_id ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE SET total = c.total + EXCLUDED.total, completed = c.completed + EXCLUDED.completed
        RETURNING c.total
      ) SELECT max(total) INTO top FROM up;
      ${check}
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
  END $$`;

/**
 * MAX_TASKS_PER_USER, exact under concurrent creates at no cost to the others: the counter trigger,
 * which already locks the user's counter row to add the new tasks, raises TKLIM when the new total
 * passes the limit the inserting statement set (`set_config('tasks.max_per_user', …, true)`, for its
 * own transaction only), and the insert is undone. Concurrent creates of one user queue on that row
 * lock, and each sees the total the previous one committed. Without the setting (seeding, imports)
 * nothing is checked.
 */
export class TaskLimit1795900000000 implements MigrationInterface {
  name = 'TaskLimit1795900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      applyFunction(`
      IF top > nullif(current_setting('tasks.max_per_user', true), '')::bigint THEN
        RAISE EXCEPTION 'task limit reached' USING ERRCODE = 'TKLIM';
      END IF;`),
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(applyFunction(''));
  }
}
