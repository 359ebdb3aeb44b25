import { generateNKeysBetween } from 'fractional-indexing';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Manual order and one level of subtasks:
 * - `parent_id`: the parent task, deleted with it (ON DELETE CASCADE; the counter trigger counts the
 *   cascaded rows too). That the parent is the same user's, and a top-level task, the app checks
 *   under its per-user ordering lock (TaskOrdering).
 * - `position`: a fractional-indexing key (src/tasks/positions.ts), compared byte-wise
 *   (`COLLATE "C"`), unique among siblings: one partial unique index for top-level tasks
 *   (user_id, position) and one for subtasks (parent_id, position), which also serves the cascade.
 * - `ix_tasks_user_position_id`: `sort=position` across all lists, like every other sort.
 * Existing tasks get positions newest first (the default listing's order, and where new tasks go).
 */
export class OrderAndSubtasks1796000000000 implements MigrationInterface {
  name = 'OrderAndSubtasks1796000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tasks" ADD "parent_id" uuid, ADD "position" varchar(64) COLLATE "C"`);
    await q.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "fk_tasks_parent" FOREIGN KEY ("parent_id") REFERENCES "tasks" ("id") ON DELETE CASCADE`,
    );
    const [{ most }] = (await q.query(
      `SELECT COALESCE(max(n), 0)::int AS most FROM (SELECT count(*) AS n FROM "tasks" GROUP BY "user_id") c`,
    )) as { most: number }[];
    if (most > 0) {
      // The keys of n tasks in a row are the first n of the keys of more: one array serves every user.
      await q.query(
        `UPDATE "tasks" t SET "position" = k.key
           FROM (SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY created_at DESC, id DESC) AS i FROM "tasks") r
           JOIN unnest($1::text[]) WITH ORDINALITY AS k(key, i) ON k.i = r.i
          WHERE t.id = r.id`,
        [generateNKeysBetween(null, null, most)],
      );
    }
    await q.query(`ALTER TABLE "tasks" ALTER COLUMN "position" SET NOT NULL`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_tasks_top_position" ON "tasks" ("user_id", "position") WHERE "parent_id" IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "ux_tasks_sub_position" ON "tasks" ("parent_id", "position") WHERE "parent_id" IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "ix_tasks_user_position_id" ON "tasks" ("user_id", "position", "id")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "ix_tasks_user_position_id"`);
    await q.query(`DROP INDEX IF EXISTS "ux_tasks_sub_position"`);
    await q.query(`DROP INDEX IF EXISTS "ux_tasks_top_position"`);
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT IF EXISTS "fk_tasks_parent"`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN IF EXISTS "position", DROP COLUMN IF EXISTS "parent_id"`);
  }
}
