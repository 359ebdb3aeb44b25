import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recurring tasks (contract: "Recurring tasks").
 *
 * - `tasks.time_zone`: the IANA zone occurrences are computed in (null: UTC).
 * - `tasks.recurrence`: `{ "rule": <normalised RRULE>, "from": "due" | "completion" }`, or null.
 * - `tasks.series_start`: the series' DTSTART, the `due_date` the rule was (last) set with; it stays
 *   while `due_date` advances from occurrence to occurrence. Set exactly when `recurrence` is.
 * - `tasks.last_completed_at`: when an occurrence was last completed.
 * - `task_completions`: one row per completed occurrence of a task (the primary key makes a
 *   completion recorded once), deleted with its task; `ix_task_completions_task_newest` serves the
 *   newest-first keyset pages of `GET /api/tasks/{id}/completions`.
 */
export class Recurrence1796500000000 implements MigrationInterface {
  name = 'Recurrence1796500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "tasks" ADD "time_zone" text, ADD "recurrence" jsonb, ADD "series_start" timestamptz(3),
         ADD "last_completed_at" timestamptz(3),
         ADD CONSTRAINT "ck_tasks_recurrence_due" CHECK ("recurrence" IS NULL OR "due_date" IS NOT NULL),
         ADD CONSTRAINT "ck_tasks_recurrence_start" CHECK (("recurrence" IS NULL) = ("series_start" IS NULL))`,
    );
    await q.query(`
      CREATE TABLE "task_completions" (
        "task_id" uuid NOT NULL,
        "occurrence" timestamptz(3) NOT NULL,
        "completed_at" timestamptz(3) NOT NULL DEFAULT now(),
        "completed_by" varchar(255) NOT NULL,
        CONSTRAINT "pk_task_completions" PRIMARY KEY ("task_id", "occurrence"),
        CONSTRAINT "fk_task_completions_task" FOREIGN KEY ("task_id") REFERENCES "tasks" ("id") ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX "ix_task_completions_task_newest" ON "task_completions" ("task_id", "completed_at", "occurrence")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "task_completions"`);
    await q.query(
      `ALTER TABLE "tasks" DROP CONSTRAINT IF EXISTS "ck_tasks_recurrence_start",
         DROP CONSTRAINT IF EXISTS "ck_tasks_recurrence_due", DROP COLUMN IF EXISTS "last_completed_at",
         DROP COLUMN IF EXISTS "series_start", DROP COLUMN IF EXISTS "recurrence", DROP COLUMN IF EXISTS "time_zone"`,
    );
  }
}
