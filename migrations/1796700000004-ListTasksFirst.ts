import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A deleted list's tasks go before the rest of the list: a `BEFORE DELETE` row trigger on `lists`
 * deletes them while the list's members and `webhook_watchers` rows still exist.
 *
 * Left to the foreign keys' cascades, the order of the list's dependants is the order of the
 * cascades' internal triggers: the members went first (and with them, by `webhook_members_watch`,
 * the webhook watchers), so the tasks' `webhook_task_event` found no watcher and no webhook got a
 * `task.deleted` for them. Deleting them first, each task's row triggers (tombstones, counters,
 * webhooks) see the list as it was. The cascade then finds no task left.
 */
export class ListTasksFirst1796700000004 implements MigrationInterface {
  name = 'ListTasksFirst1796700000004';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION "lists_delete_tasks_first"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM tasks WHERE list_id = OLD.id;
        RETURN OLD;
      END $$`);
    await q.query(`
      CREATE TRIGGER "lists_delete_tasks_first" BEFORE DELETE ON "lists"
        FOR EACH ROW EXECUTE FUNCTION "lists_delete_tasks_first"()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "lists_delete_tasks_first" ON "lists"`);
    await q.query(`DROP FUNCTION IF EXISTS "lists_delete_tasks_first"()`);
  }
}
