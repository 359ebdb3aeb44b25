import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incremental sync and live events across the members of shared lists (contract "Lists and
 * sharing", Sync and Events).
 *
 * - A reader follows several sequences: the change sequence of each owner whose lists it can see
 *   (ChangeSequence, keyed by owner since Lists), filtered to the lists it is a member of, and its
 *   own list feed (below). Its sync token holds one position per sequence (src/sync/sync-token.ts).
 * - `task_tombstones.list_id`: the list the task was in, so only that list's members are told.
 *   Tombstones from before have none: they are their owner's only, as before. `task_change` leaves a
 *   tombstone in the old list whenever a task changes list (same owner or not): a member of the old
 *   list who cannot see the new one must drop it. A transfer (the list changes owner) leaves none:
 *   the list's members still see its tasks, which come again from the new owner's sequence, and the
 *   list's tombstones move into that sequence too. A deleted list's tombstones reach nobody: its
 *   `{ id, deleted: true }` entry tells every member (its owner too) to drop its tasks. A reader who can see the task
 *   where it is now is not given that tombstone (two owners' sequences are not ordered against each
 *   other: the task's new state may have reached it first).
 * - `list_feed` (user, list, seq): what changed in the lists a user can see, numbered in that user's
 *   own list sequence, `task_counts.list_seq` (the counter row is locked until commit, as for
 *   tasks, so a snapshot holds a prefix of it). Written by triggers on `lists` and `list_members`,
 *   so every route that changes a list or a membership is covered without code of its own: any
 *   change of a list bumps the row of each member; a member who joins, leaves or is removed bumps
 *   the rows of every member (`member_count` changed) and their own. A reader shows the list as
 *   GET /api/lists/{id} shows it when it is still a member, `{ id, deleted: true }` otherwise.
 *   Several users' counter rows are locked in user-id order.
 * - `sync_stream_tasks` / `sync_stream_tombstones`: one stream's next rows for a reader, in seq order.
 * - Joining a list renumbers its tasks in the owner's sequence (an UPDATE that only takes new
 *   numbers: versions and `updated_at` stay): the new member's token may be past their old numbers,
 *   and must still get every live task. It costs one row write per task of the list, in the joining
 *   transaction.
 */
export class SharedSync1796600000001 implements MigrationInterface {
  name = 'SharedSync1796600000001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "task_counts" ADD "list_seq" bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "task_tombstones" ADD "list_id" uuid`);
    await q.query(`
      CREATE TABLE "list_feed" (
        "user_id" varchar(255) NOT NULL,
        "list_id" uuid NOT NULL,
        "seq" bigint NOT NULL,
        CONSTRAINT "pk_list_feed" PRIMARY KEY ("user_id", "list_id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_list_feed_user_seq" ON "list_feed" ("user_id", "seq")`);
    // Every membership so far, numbered in its user's list sequence.
    await q.query(`
      INSERT INTO task_counts AS c (user_id, list_seq)
        SELECT user_id, count(*) FROM list_members GROUP BY user_id ORDER BY user_id
      ON CONFLICT (user_id) DO UPDATE SET list_seq = c.list_seq + EXCLUDED.list_seq`);
    await q.query(`
      INSERT INTO list_feed (user_id, list_id, seq)
        SELECT m.user_id, m.list_id,
               c.list_seq - row_number() OVER (PARTITION BY m.user_id ORDER BY m.joined_at, m.list_id) + 1
          FROM list_members m JOIN task_counts c ON c.user_id = m.user_id`);

    // The next number of each of the users' list sequences for the list (counter rows locked in
    // user-id order, so two such transactions never wait on each other in a circle).
    await q.query(`
      CREATE FUNCTION "list_feed_touch"(target uuid, users varchar[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        who varchar;
        n bigint;
      BEGIN
        FOR who IN SELECT DISTINCT u FROM unnest(users) u WHERE u IS NOT NULL ORDER BY 1 LOOP
          INSERT INTO task_counts AS c (user_id, list_seq) VALUES (who, 1)
          ON CONFLICT (user_id) DO UPDATE SET list_seq = c.list_seq + 1
          RETURNING c.list_seq INTO n;
          INSERT INTO list_feed (user_id, list_id, seq) VALUES (who, target, n)
          ON CONFLICT (user_id, list_id) DO UPDATE SET seq = EXCLUDED.seq;
        END LOOP;
      END $$`);
    await q.query(`
      CREATE FUNCTION "list_feed_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'lists' THEN
          IF NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
            -- A transfer: the list's tombstones move into the new owner's sequence with the tasks
            -- (ON UPDATE CASCADE). Its members stop following the old owner's sequence (unless they
            -- share another list with them), and a deletion they had not read yet must still reach them.
            INSERT INTO task_tombstones (user_id, seq, id, list_id, deleted_at)
              SELECT NEW.owner_id, task_counted(NEW.owner_id, 0, 0), d.id, d.list_id, d.deleted_at
                FROM (SELECT * FROM task_tombstones
                       WHERE user_id = OLD.owner_id AND list_id = NEW.id ORDER BY seq) d;
            DELETE FROM task_tombstones WHERE user_id = OLD.owner_id AND list_id = NEW.id;
          END IF;
          PERFORM list_feed_touch(NEW.id, ARRAY(SELECT user_id FROM list_members WHERE list_id = NEW.id));
          RETURN NULL;
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.list_id = OLD.list_id AND NEW.user_id = OLD.user_id THEN
          -- A role: only that member's view changed.
          PERFORM list_feed_touch(NEW.list_id, ARRAY[NEW.user_id]);
          RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          PERFORM list_feed_touch(OLD.list_id,
            ARRAY(SELECT user_id FROM list_members WHERE list_id = OLD.list_id) || OLD.user_id);
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
          PERFORM list_feed_touch(NEW.list_id, ARRAY(SELECT user_id FROM list_members WHERE list_id = NEW.list_id));
          -- The new member gets every live task of the list after whatever token it holds.
          UPDATE tasks SET seq = seq WHERE list_id = NEW.list_id;
        END IF;
        RETURN NULL;
      END $$`);
    // One stream's next rows, in seq order, as a range scan of its index: a function, so that the
    // planner, which cannot know the position in a LATERAL and guesses a few rows, does not trade
    // the ordered scan for a bitmap and a sort of the whole rest of a long sequence (SET makes it
    // a call of its own, planned with those settings, never inlined).
    await q.query(`
      CREATE FUNCTION "sync_stream_tasks"(owner varchar, after bigint, visible uuid[], lim bigint)
      RETURNS SETOF tasks LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_sort = off AS $$
        SELECT * FROM tasks WHERE owner_id = owner AND seq > after AND list_id = ANY(visible) ORDER BY seq LIMIT lim
      $$`);
    await q.query(`
      CREATE FUNCTION "sync_stream_tombstones"(owner varchar, after bigint, visible uuid[], reader varchar, lim bigint)
      RETURNS SETOF task_tombstones LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_sort = off AS $$
        SELECT * FROM task_tombstones d WHERE d.user_id = owner AND d.seq > after
           AND (d.list_id = ANY(visible) OR (d.user_id = reader AND d.list_id IS NULL))
         ORDER BY d.seq LIMIT lim
      $$`);
    await q.query(`CREATE TRIGGER "lists_feed" AFTER UPDATE ON "lists"
      FOR EACH ROW EXECUTE FUNCTION list_feed_change()`);
    await q.query(`CREATE TRIGGER "list_members_feed" AFTER INSERT OR UPDATE OR DELETE ON "list_members"
      FOR EACH ROW EXECUTE FUNCTION list_feed_change()`);

    await q.query(`
      CREATE OR REPLACE FUNCTION "task_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          INSERT INTO task_tombstones (user_id, seq, id, list_id)
            VALUES (OLD.owner_id, task_counted(OLD.owner_id, -1, -(OLD.completed::int)), OLD.id, OLD.list_id);
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
          -- Into another owner's sequence, new there. Moved to another list: gone from the old one (a
          -- tombstone). The same list changing hands (a transfer): its members still see it, so
          -- there is no one to tell; only the counts leave the old owner.
          IF NEW.list_id IS DISTINCT FROM OLD.list_id THEN
            INSERT INTO task_tombstones (user_id, seq, id, list_id)
              VALUES (OLD.owner_id, task_counted(OLD.owner_id, -1, -(OLD.completed::int)), OLD.id, OLD.list_id);
          ELSE
            PERFORM task_counted(OLD.owner_id, -1, -(OLD.completed::int));
          END IF;
          NEW.seq := task_counted(NEW.owner_id, 1, NEW.completed::int);
          RETURN NEW;
        END IF;
        IF NEW.list_id IS DISTINCT FROM OLD.list_id THEN
          -- Another list of the same owner: gone from the old list for those who cannot see the new one.
          INSERT INTO task_tombstones (user_id, seq, id, list_id)
            VALUES (OLD.owner_id, task_counted(OLD.owner_id, 0, 0), OLD.id, OLD.list_id);
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
          INSERT INTO task_tombstones (user_id, seq, id)
            VALUES (OLD.owner_id, task_counted(OLD.owner_id, -1, -(OLD.completed::int)), OLD.id);
          NEW.seq := task_counted(NEW.owner_id, 1, NEW.completed::int);
          RETURN NEW;
        END IF;
        NEW.seq := task_counted(NEW.owner_id, 0, NEW.completed::int - OLD.completed::int);
        RETURN NEW;
      END $$`);
    await q.query(`DROP TRIGGER IF EXISTS "list_members_feed" ON "list_members"`);
    await q.query(`DROP TRIGGER IF EXISTS "lists_feed" ON "lists"`);
    await q.query(
      `DROP FUNCTION IF EXISTS "sync_stream_tombstones"(varchar, bigint, uuid[], varchar, bigint)`,
    );
    await q.query(`DROP FUNCTION IF EXISTS "sync_stream_tasks"(varchar, bigint, uuid[], bigint)`);
    await q.query(`DROP FUNCTION IF EXISTS "list_feed_change"()`);
    await q.query(`DROP FUNCTION IF EXISTS "list_feed_touch"(uuid, varchar[])`);
    await q.query(`DROP TABLE IF EXISTS "list_feed"`);
    await q.query(`ALTER TABLE "task_tombstones" DROP COLUMN IF EXISTS "list_id"`);
    await q.query(`ALTER TABLE "task_counts" DROP COLUMN IF EXISTS "list_seq"`);
  }
}
