import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A subtask's parent is a task of the same user, guaranteed by the database itself (until now only
 * the app checked it, under the user's ordering lock): the parent reference `fk_tasks_parent`
 * becomes `(user_id, parent_id) REFERENCES tasks (user_id, id)`, over a new unique constraint
 * `uq_tasks_user_id` on `(user_id, id)` (the key a foreign key needs; `id` alone stays the primary
 * key). Deleting a parent still deletes its subtasks (ON DELETE CASCADE); a top-level task
 * (`parent_id` null) is not checked (MATCH SIMPLE). Existing rows are checked when the constraint is
 * added: a subtask under another user's task, which the app never made, stops the migration.
 */
export class ParentSameUser1796200000000 implements MigrationInterface {
  name = 'ParentSameUser1796200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tasks" ADD CONSTRAINT "uq_tasks_user_id" UNIQUE ("user_id", "id")`);
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT "fk_tasks_parent"`);
    await q.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "fk_tasks_parent" FOREIGN KEY ("user_id", "parent_id")
         REFERENCES "tasks" ("user_id", "id") ON DELETE CASCADE`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT "fk_tasks_parent"`);
    await q.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "fk_tasks_parent" FOREIGN KEY ("parent_id") REFERENCES "tasks" ("id") ON DELETE CASCADE`,
    );
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT "uq_tasks_user_id"`);
  }
}
