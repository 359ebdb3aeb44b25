import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for every listing query shape (see TasksRepository), so no listing or paging query
 * scans a heavy user's tasks sequentially:
 * - one B-tree per sort key, each `(user_id, <sort key>, id)`, read forwards or backwards
 *   for keyset pages; `due_date` sorts on COALESCE(due_date, ±infinity) so that tasks without a
 *   due date come last in both directions; `priority` sorts on its rank (low 1 … high 3);
 * - trigram GIN indexes (pg_trgm, with btree_gin for `user_id`) for the `q` substring search;
 * - a GIN index on `(user_id, tags)` for the `tag` filter.
 * Declared in the Task entity with `synchronize: false`, so schema diffs leave them alone.
 */
export class ListingIndexes1795722400000 implements MigrationInterface {
  name = 'ListingIndexes1795722400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await q.query(`CREATE INDEX "ix_tasks_user_updated_id" ON "tasks" ("user_id", "updated_at", "id")`);
    await q.query(`CREATE INDEX "ix_tasks_user_title_id" ON "tasks" ("user_id", "title", "id")`);
    await q.query(
      `CREATE INDEX "ix_tasks_user_due_asc_id" ON "tasks" ("user_id", (COALESCE("due_date", 'infinity'::timestamptz)), "id")`,
    );
    await q.query(
      `CREATE INDEX "ix_tasks_user_due_desc_id" ON "tasks" ("user_id", (COALESCE("due_date", '-infinity'::timestamptz)), "id")`,
    );
    await q.query(
      `CREATE INDEX "ix_tasks_user_priority_id" ON "tasks" ("user_id", (CASE "priority" WHEN 'low' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END), "id")`,
    );
    await q.query(
      `CREATE INDEX "ix_tasks_title_trgm" ON "tasks" USING gin ("user_id", "title" gin_trgm_ops)`,
    );
    await q.query(
      `CREATE INDEX "ix_tasks_description_trgm" ON "tasks" USING gin ("user_id", "description" gin_trgm_ops)`,
    );
    await q.query(`CREATE INDEX "ix_tasks_user_tags" ON "tasks" USING gin ("user_id", "tags")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const name of [
      'ix_tasks_user_tags',
      'ix_tasks_description_trgm',
      'ix_tasks_title_trgm',
      'ix_tasks_user_priority_id',
      'ix_tasks_user_due_desc_id',
      'ix_tasks_user_due_asc_id',
      'ix_tasks_user_title_id',
      'ix_tasks_user_updated_id',
    ]) {
      await q.query(`DROP INDEX IF EXISTS "${name}"`);
    }
  }
}
