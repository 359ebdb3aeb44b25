import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The listing indexes that were `(user_id, …)` and become `(list_id, …)`: old name, new name, the rest of the definition. */
const REKEYED: [string, string, string][] = [
  ['ix_tasks_user_created_id', 'ix_tasks_list_created_id', `("list_id", "created_at", "id")`],
  ['ix_tasks_user_updated_id', 'ix_tasks_list_updated_id', `("list_id", "updated_at", "id")`],
  ['ix_tasks_user_title_id', 'ix_tasks_list_title_id', `("list_id", "title", "id")`],
  [
    'ix_tasks_user_due_asc_id',
    'ix_tasks_list_due_asc_id',
    `("list_id", (COALESCE("due_date", 'infinity'::timestamptz)), "id")`,
  ],
  [
    'ix_tasks_user_due_desc_id',
    'ix_tasks_list_due_desc_id',
    `("list_id", (COALESCE("due_date", '-infinity'::timestamptz)), "id")`,
  ],
  [
    'ix_tasks_user_priority_id',
    'ix_tasks_list_priority_id',
    `("list_id", (CASE "priority" WHEN 'low' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END), "id")`,
  ],
  ['ix_tasks_user_position_id', 'ix_tasks_list_position_id', `("list_id", "position", "id")`],
  ['ix_tasks_title_trgm', 'ix_tasks_list_title_trgm', `USING gin ("list_id", "title" gin_trgm_ops)`],
  [
    'ix_tasks_description_trgm',
    'ix_tasks_list_description_trgm',
    `USING gin ("list_id", "description" gin_trgm_ops)`,
  ],
  ['ix_tasks_user_tags', 'ix_tasks_list_tags', `USING gin ("list_id", "tags")`],
  ['ix_tasks_user_overdue', 'ix_tasks_list_overdue', `("list_id", "due_date") WHERE NOT "completed"`],
  ['ux_tasks_top_position', 'ux_tasks_top_position', `("list_id", "position") WHERE "parent_id" IS NULL`],
];

/**
 * Lists and sharing, the model (contract "Lists and sharing"):
 * - `users`: the directory of users learnt from token claims (`id` = the token's `sub`).
 * - `lists`: every task belongs to one. `owner_id` is the owner's user id; at most one inbox
 *   (`is_inbox`) per owner, by the partial unique index `ux_lists_inbox`. `uq_lists_id_owner` is the
 *   key tasks reference.
 * - `list_members`: who may see a list, with their role; the owner is a member row too (`owner`,
 *   exactly one per list: `ux_list_members_owner`). The primary key (list, user) carries the role
 *   (INCLUDE), so the membership check each task statement makes is an index-only probe.
 * - `inbox_of(user)`: the user's inbox, made (with its owner row) when first needed: concurrent first
 *   calls make one, the others wait on the unique index and read it back.
 * - `tasks.list_id` (NOT NULL; an INSERT without it goes to the creator's inbox: the trigger fills
 *   it in) and `tasks.owner_id`, the list's owner, kept equal to it by the foreign key `fk_tasks_list`
 *   `(list_id, owner_id) → lists (id, owner_id)` ON UPDATE CASCADE ON DELETE CASCADE: deleting a list
 *   deletes its tasks (each leaving a tombstone), and a new owner carries the list's tasks along.
 *   `user_id` stays the task's creator.
 * - The change sequence, the counters and the tombstones (migration ChangeSequence) are keyed by the
 *   list's owner instead of the task's creator (the same user for every task so far): every change in
 *   a list takes the next number of its owner's sequence, whoever made it, and MAX_TASKS_PER_USER
 *   counts the tasks in the lists a user owns. A task whose owner changes (a transfer, a move to
 *   another owner's list) leaves a tombstone in the old owner's sequence and a change in the new one.
 * - Positions are unique per (list, parent); a subtask's parent is a task of the same list
 *   (`fk_tasks_parent` over `uq_tasks_list_id`, ON UPDATE CASCADE: subtasks follow their parent to
 *   another list). The listing indexes are keyed by list.
 *
 * Backfill: an inbox per user that has tasks, every task into it. Positions and versions are kept;
 * each task takes a new number in its user's sequence (the UPDATE runs the change trigger), so a
 * client synced before sees all its tasks again, with their `list_id`, after its token: no gap.
 */
export class Lists1796400000000 implements MigrationInterface {
  name = 'Lists1796400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "users" (
        "id" varchar(255) NOT NULL,
        "email" varchar(320),
        "name" varchar(255),
        "updated_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "pk_users" PRIMARY KEY ("id")
      )`);
    await q.query(`
      CREATE TABLE "lists" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "owner_id" varchar(255) NOT NULL,
        "name" varchar(100) NOT NULL,
        "color" varchar(7),
        "is_inbox" boolean NOT NULL DEFAULT false,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "updated_at" timestamptz(3) NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_lists" PRIMARY KEY ("id"),
        CONSTRAINT "uq_lists_id_owner" UNIQUE ("id", "owner_id"),
        CONSTRAINT "ck_lists_name_length" CHECK (char_length("name") BETWEEN 1 AND 100),
        CONSTRAINT "ck_lists_color" CHECK ("color" ~ '^#[0-9a-f]{6}$')
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_lists_inbox" ON "lists" ("owner_id") WHERE "is_inbox"`);
    await q.query(`CREATE INDEX "ix_lists_owner" ON "lists" ("owner_id")`);
    await q.query(`
      CREATE TABLE "list_members" (
        "list_id" uuid NOT NULL,
        "user_id" varchar(255) NOT NULL,
        "role" varchar(10) NOT NULL,
        "joined_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "pk_list_members" PRIMARY KEY ("list_id", "user_id") INCLUDE ("role"),
        CONSTRAINT "fk_list_members_list" FOREIGN KEY ("list_id") REFERENCES "lists" ("id") ON DELETE CASCADE,
        CONSTRAINT "ck_list_members_role" CHECK ("role" IN ('owner', 'editor', 'viewer'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "ix_list_members_user" ON "list_members" ("user_id", "list_id") INCLUDE ("role")`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "ux_list_members_owner" ON "list_members" ("list_id") WHERE "role" = 'owner'`,
    );
    await q.query(`
      CREATE FUNCTION "inbox_of"(owner varchar) RETURNS uuid LANGUAGE plpgsql AS $$
      DECLARE
        found uuid;
      BEGIN
        SELECT id INTO found FROM lists WHERE owner_id = owner AND is_inbox;
        IF found IS NOT NULL THEN
          RETURN found;
        END IF;
        INSERT INTO lists (owner_id, name, is_inbox) VALUES (owner, 'Inbox', true)
          ON CONFLICT (owner_id) WHERE is_inbox DO NOTHING RETURNING id INTO found;
        IF found IS NULL THEN
          -- A concurrent first call made it and committed (ON CONFLICT waited for it): read it back.
          SELECT id INTO found FROM lists WHERE owner_id = owner AND is_inbox;
        ELSE
          INSERT INTO list_members (list_id, user_id, role) VALUES (found, owner, 'owner');
        END IF;
        RETURN found;
      END $$`);

    // Backfill, under the change trigger as ChangeSequence made it (keyed by user_id, the owner of
    // every task so far): each task takes a new number, after every token handed out before.
    await q.query(`ALTER TABLE "tasks" ADD "list_id" uuid, ADD "owner_id" varchar(255)`);
    await q.query(`SELECT inbox_of(u.user_id) FROM (SELECT DISTINCT user_id FROM tasks ORDER BY 1) u`);
    await q.query(
      `UPDATE "tasks" t SET "list_id" = l.id, "owner_id" = l.owner_id FROM "lists" l
        WHERE l.owner_id = t.user_id AND l.is_inbox`,
    );
    await q.query(`ALTER TABLE "tasks" ALTER "list_id" SET NOT NULL, ALTER "owner_id" SET NOT NULL`);
    await q.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "fk_tasks_list" FOREIGN KEY ("list_id", "owner_id")
         REFERENCES "lists" ("id", "owner_id") ON UPDATE CASCADE ON DELETE CASCADE`,
    );

    // The parent in the same list.
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT "fk_tasks_parent"`);
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT "uq_tasks_user_id"`);
    await q.query(`ALTER TABLE "tasks" ADD CONSTRAINT "uq_tasks_list_id" UNIQUE ("list_id", "id")`);
    await q.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "fk_tasks_parent" FOREIGN KEY ("list_id", "parent_id")
         REFERENCES "tasks" ("list_id", "id") ON UPDATE CASCADE ON DELETE CASCADE`,
    );

    // Listing indexes and top-level positions per list; the sequence per owner.
    for (const [old, name, definition] of REKEYED) {
      await q.query(`DROP INDEX "${old}"`);
      const unique = name.startsWith('ux_') ? 'UNIQUE ' : '';
      await q.query(`CREATE ${unique}INDEX "${name}" ON "tasks" ${definition}`);
    }
    await q.query(`DROP INDEX "ux_tasks_user_seq"`);
    await q.query(`CREATE UNIQUE INDEX "ux_tasks_owner_seq" ON "tasks" ("owner_id", "seq")`);

    await q.query(`
      CREATE OR REPLACE FUNCTION "task_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          INSERT INTO task_tombstones (user_id, seq, id)
            VALUES (OLD.owner_id, task_counted(OLD.owner_id, -1, -(OLD.completed::int)), OLD.id);
          RETURN NULL;
        END IF;
        IF TG_OP = 'INSERT' THEN
          IF NEW.list_id IS NULL THEN
            NEW.list_id := inbox_of(NEW.user_id);
          END IF;
          SELECT owner_id INTO NEW.owner_id FROM lists WHERE id = NEW.list_id;
          NEW.seq := task_counted(NEW.owner_id, 1, NEW.completed::int);
          RETURN NEW;
        END IF;
        IF NEW.user_id IS DISTINCT FROM OLD.user_id THEN
          RAISE EXCEPTION 'a task cannot change its user';
        END IF;
        IF NEW.list_id IS DISTINCT FROM OLD.list_id THEN
          SELECT owner_id INTO NEW.owner_id FROM lists WHERE id = NEW.list_id;
        END IF;
        IF NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
          -- Into another owner's sequence: gone from the old one (a tombstone), new in this one.
          INSERT INTO task_tombstones (user_id, seq, id)
            VALUES (OLD.owner_id, task_counted(OLD.owner_id, -1, -(OLD.completed::int)), OLD.id);
          NEW.seq := task_counted(NEW.owner_id, 1, NEW.completed::int);
          RETURN NEW;
        END IF;
        NEW.seq := task_counted(NEW.owner_id, 0, NEW.completed::int - OLD.completed::int);
        RETURN NEW;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION "task_change"() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`DROP INDEX "ux_tasks_owner_seq"`);
    await q.query(`CREATE UNIQUE INDEX "ux_tasks_user_seq" ON "tasks" ("user_id", "seq")`);
    for (const [old, name, definition] of REKEYED) {
      await q.query(`DROP INDEX "${name}"`);
      const unique = old.startsWith('ux_') ? 'UNIQUE ' : '';
      await q.query(
        `CREATE ${unique}INDEX "${old}" ON "tasks" ${definition.replace('"list_id"', '"user_id"')}`,
      );
    }
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT "fk_tasks_parent"`);
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT "uq_tasks_list_id"`);
    await q.query(`ALTER TABLE "tasks" ADD CONSTRAINT "uq_tasks_user_id" UNIQUE ("user_id", "id")`);
    await q.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "fk_tasks_parent" FOREIGN KEY ("user_id", "parent_id")
         REFERENCES "tasks" ("user_id", "id") ON DELETE CASCADE`,
    );
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT "fk_tasks_list"`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN "list_id", DROP COLUMN "owner_id"`);
    await q.query(`DROP FUNCTION "inbox_of"(varchar)`);
    await q.query(`DROP TABLE "list_members"`);
    await q.query(`DROP TABLE "lists"`);
    await q.query(`DROP TABLE "users"`);
  }
}
