import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Assignees (contract "Lists and sharing", "Tasks gain"):
 * - `tasks.assignee_id`: a member of the task's list, or null. The statements that write it check
 *   the membership themselves (locking the membership row, so a removal that runs meanwhile waits
 *   for the write and then sees it); a move to another list clears it when the assignee is not a
 *   member there.
 * - `ix_tasks_list_assignee` `(list_id, assignee_id)`: the listing's `assignee_id` filter within a
 *   list, and the clearing below.
 * - `list_member_gone`: after members leave or are removed (any DELETE on `list_members`), their
 *   tasks in that list are no longer assigned to them; each such task is a change (version +1, a new
 *   number in the owner's sequence through `task_change`). A list being deleted takes its tasks with
 *   it, so its memberships' deletion changes nothing first. One statement per DELETE (a transition
 *   table), whatever the number of members it removed.
 */
export class Assignee1796600000002 implements MigrationInterface {
  name = 'Assignee1796600000002';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tasks" ADD "assignee_id" varchar(255)`);
    await q.query(`CREATE INDEX "ix_tasks_list_assignee" ON "tasks" ("list_id", "assignee_id")`);
    await q.query(`
      CREATE FUNCTION "list_member_gone"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE tasks t SET assignee_id = NULL, version = t.version + 1, updated_at = now()
          FROM gone g
         WHERE t.list_id = g.list_id AND t.assignee_id = g.user_id
           AND EXISTS (SELECT 1 FROM lists l WHERE l.id = g.list_id);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "list_members_gone" AFTER DELETE ON "list_members"
      REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION list_member_gone()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "list_members_gone" ON "list_members"`);
    await q.query(`DROP FUNCTION IF EXISTS "list_member_gone"()`);
    await q.query(`DROP INDEX IF EXISTS "ix_tasks_list_assignee"`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN IF EXISTS "assignee_id"`);
  }
}
