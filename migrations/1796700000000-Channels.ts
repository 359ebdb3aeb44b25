import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery channels that retry on their own: webhooks and Web Push (contract: "Reminders and
 * notifications"; docs/reminders.md).
 *
 * - `webhooks`: a user's endpoints (at most 10, counted by the app under an advisory lock), the
 *   events each wants, its signing secret (kept: every delivery is signed with it), and whether it
 *   is enabled (a `410` from the receiver disables it).
 * - `push_subscriptions`: a browser's PushSubscription (endpoint and its two keys). An endpoint is
 *   one browser's: it belongs to the user who registered it last.
 * - `deliveries`: one table for both channels (a `channel` column and one foreign key each, so
 *   deleting a webhook or a subscription takes its deliveries along): one row per message and
 *   target, written in the transaction that made the message (the reminder's firing, the task's
 *   write), sent later by the periodic sender job, which claims due rows (`ix_deliveries_due`, SKIP
 *   LOCKED) and leases them (`attempts` + 1, `lease_until`): a sender that died leaves its lease to
 *   expire and the row is sent again, with the same `message_id`.
 * - `webhook_watchers` (list, user): the lists whose task events some enabled webhook wants (its
 *   owner is a member). Kept by triggers on `webhooks` and `list_members`, so that the trigger on
 *   `tasks` pays one index probe here for a write that no webhook watches.
 * - `webhook_task_event` (AFTER INSERT, DELETE, and UPDATE that bumps `version` or changes
 *   `list_id`, on `tasks`): writes a delivery per watching webhook that wants the event, with the
 *   task's row as it is after the write (`to_jsonb`; the app shows it as the API's task), in the
 *   write's own transaction. A task moved to another list is `task.deleted` for watchers of the old
 *   list who are not members of the new one.
 */
const TASK_EVENTS = `ARRAY['task.created', 'task.updated', 'task.completed', 'task.deleted']::text[]`;
const EVENTS = `ARRAY['reminder.fired', 'task.created', 'task.updated', 'task.completed', 'task.deleted']::text[]`;

export class Channels1796700000000 implements MigrationInterface {
  name = 'Channels1796700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "webhooks" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" varchar(255) NOT NULL,
        "url" varchar(2048) NOT NULL,
        "events" text[] NOT NULL,
        "secret" varchar(100) NOT NULL,
        "enabled" boolean NOT NULL DEFAULT true,
        "disabled_reason" varchar(200),
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "pk_webhooks" PRIMARY KEY ("id"),
        CONSTRAINT "ck_webhooks_events" CHECK (cardinality("events") >= 1 AND "events" <@ ${EVENTS})
      )`);
    await q.query(`CREATE INDEX "ix_webhooks_user" ON "webhooks" ("user_id", "created_at")`);
    await q.query(`
      CREATE TABLE "push_subscriptions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" varchar(255) NOT NULL,
        "endpoint" varchar(2048) NOT NULL,
        "p256dh" varchar(100) NOT NULL,
        "auth" varchar(50) NOT NULL,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT "pk_push_subscriptions" PRIMARY KEY ("id"),
        CONSTRAINT "ux_push_subscriptions_endpoint" UNIQUE ("endpoint")
      )`);
    await q.query(`CREATE INDEX "ix_push_subscriptions_user" ON "push_subscriptions" ("user_id")`);
    await q.query(`
      CREATE TABLE "deliveries" (
        "id" bigint GENERATED ALWAYS AS IDENTITY,
        "channel" varchar(10) NOT NULL,
        "webhook_id" uuid,
        "subscription_id" uuid,
        "message_id" uuid NOT NULL,
        "event" varchar(32) NOT NULL,
        "payload" jsonb NOT NULL,
        "status" varchar(10) NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz(3) NOT NULL DEFAULT now(),
        "lease_until" timestamptz(3),
        "last_status" integer,
        "last_error" varchar(500),
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "finished_at" timestamptz(3),
        CONSTRAINT "pk_deliveries" PRIMARY KEY ("id"),
        CONSTRAINT "fk_deliveries_webhook" FOREIGN KEY ("webhook_id") REFERENCES "webhooks" ("id") ON DELETE CASCADE,
        CONSTRAINT "fk_deliveries_subscription" FOREIGN KEY ("subscription_id") REFERENCES "push_subscriptions" ("id") ON DELETE CASCADE,
        CONSTRAINT "ck_deliveries_channel" CHECK (
          ("channel" = 'webhook' AND "webhook_id" IS NOT NULL AND "subscription_id" IS NULL)
          OR ("channel" = 'push' AND "subscription_id" IS NOT NULL AND "webhook_id" IS NULL)),
        CONSTRAINT "ck_deliveries_status" CHECK ("status" IN ('pending', 'delivered', 'failed'))
      )`);
    await q.query(
      `CREATE INDEX "ix_deliveries_due" ON "deliveries" ("next_attempt_at") WHERE "status" = 'pending'`,
    );
    await q.query(
      `CREATE INDEX "ix_deliveries_webhook" ON "deliveries" ("webhook_id", "id") WHERE "webhook_id" IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "ix_deliveries_subscription" ON "deliveries" ("subscription_id") WHERE "subscription_id" IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "ix_deliveries_created_at" ON "deliveries" ("created_at")`);
    await q.query(`
      CREATE TABLE "webhook_watchers" (
        "list_id" uuid NOT NULL,
        "user_id" varchar(255) NOT NULL,
        CONSTRAINT "pk_webhook_watchers" PRIMARY KEY ("list_id", "user_id"),
        CONSTRAINT "fk_webhook_watchers_list" FOREIGN KEY ("list_id") REFERENCES "lists" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "ix_webhook_watchers_user" ON "webhook_watchers" ("user_id")`);
    // A user's rows follow whether they have an enabled webhook that wants task events.
    await q.query(`
      CREATE FUNCTION "webhook_watchers_refresh"(who varchar) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM webhooks w WHERE w.user_id = who AND w.enabled AND w.events && ${TASK_EVENTS}) THEN
          INSERT INTO webhook_watchers (list_id, user_id)
            SELECT m.list_id, who FROM list_members m WHERE m.user_id = who
          ON CONFLICT DO NOTHING;
        ELSE
          DELETE FROM webhook_watchers WHERE user_id = who;
        END IF;
      END $$`);
    await q.query(`
      CREATE FUNCTION "webhooks_watch"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM webhook_watchers_refresh(CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER "webhooks_watch" AFTER INSERT OR UPDATE OR DELETE ON "webhooks"
        FOR EACH ROW EXECUTE FUNCTION "webhooks_watch"()`);
    await q.query(`
      CREATE FUNCTION "webhook_members_watch"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          DELETE FROM webhook_watchers WHERE list_id = OLD.list_id AND user_id = OLD.user_id;
        ELSIF EXISTS (SELECT 1 FROM webhooks w WHERE w.user_id = NEW.user_id AND w.enabled AND w.events && ${TASK_EVENTS}) THEN
          INSERT INTO webhook_watchers (list_id, user_id) VALUES (NEW.list_id, NEW.user_id) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER "webhook_members_watch" AFTER INSERT OR DELETE ON "list_members"
        FOR EACH ROW EXECUTE FUNCTION "webhook_members_watch"()`);
    // One delivery per enabled webhook of the list's watchers that wants `kind`, all with one event
    // id; `unless_member_of`: not to members of that list (a task moved there).
    await q.query(`
      CREATE FUNCTION "webhook_task_deliver"(target uuid, kind text, data jsonb, unless_member_of uuid)
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        event_id uuid := gen_random_uuid();
      BEGIN
        INSERT INTO deliveries (channel, webhook_id, message_id, event, payload)
        SELECT 'webhook', w.id, event_id, kind, data
          FROM webhook_watchers ww JOIN webhooks w ON w.user_id = ww.user_id
         WHERE ww.list_id = target AND w.enabled AND kind = ANY (w.events)
           AND (unless_member_of IS NULL OR NOT EXISTS (
                 SELECT 1 FROM list_members m WHERE m.list_id = unless_member_of AND m.user_id = ww.user_id));
      END $$`);
    await q.query(`
      CREATE FUNCTION "webhook_task_event"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF EXISTS (SELECT 1 FROM webhook_watchers WHERE list_id = OLD.list_id) THEN
            PERFORM webhook_task_deliver(OLD.list_id, 'task.deleted', jsonb_build_object('id', OLD.id, 'list_id', OLD.list_id), NULL);
          END IF;
          RETURN NULL;
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.list_id IS DISTINCT FROM OLD.list_id
           AND EXISTS (SELECT 1 FROM webhook_watchers WHERE list_id = OLD.list_id) THEN
          PERFORM webhook_task_deliver(OLD.list_id, 'task.deleted', jsonb_build_object('id', OLD.id, 'list_id', OLD.list_id), NEW.list_id);
        END IF;
        IF NOT EXISTS (SELECT 1 FROM webhook_watchers WHERE list_id = NEW.list_id) THEN
          RETURN NULL;
        END IF;
        PERFORM webhook_task_deliver(NEW.list_id,
          CASE WHEN TG_OP = 'INSERT' THEN 'task.created'
               WHEN (NEW.completed AND NOT OLD.completed)
                 OR (NEW.last_completed_at IS NOT NULL AND NEW.last_completed_at IS DISTINCT FROM OLD.last_completed_at)
                 THEN 'task.completed'
               ELSE 'task.updated' END,
          to_jsonb(NEW), NULL);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER "tasks_webhook_write" AFTER INSERT OR DELETE ON "tasks"
        FOR EACH ROW EXECUTE FUNCTION "webhook_task_event"()`);
    await q.query(`
      CREATE TRIGGER "tasks_webhook_update" AFTER UPDATE ON "tasks"
        FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version OR OLD.list_id IS DISTINCT FROM NEW.list_id)
        EXECUTE FUNCTION "webhook_task_event"()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "tasks_webhook_update" ON "tasks"`);
    await q.query(`DROP TRIGGER IF EXISTS "tasks_webhook_write" ON "tasks"`);
    await q.query(`DROP FUNCTION IF EXISTS "webhook_task_event"()`);
    await q.query(`DROP FUNCTION IF EXISTS "webhook_task_deliver"(uuid, text, jsonb, uuid)`);
    await q.query(`DROP TRIGGER IF EXISTS "webhook_members_watch" ON "list_members"`);
    await q.query(`DROP FUNCTION IF EXISTS "webhook_members_watch"()`);
    await q.query(`DROP TRIGGER IF EXISTS "webhooks_watch" ON "webhooks"`);
    await q.query(`DROP FUNCTION IF EXISTS "webhooks_watch"()`);
    await q.query(`DROP FUNCTION IF EXISTS "webhook_watchers_refresh"(varchar)`);
    await q.query(`DROP TABLE IF EXISTS "webhook_watchers"`);
    await q.query(`DROP TABLE IF EXISTS "deliveries"`);
    await q.query(`DROP TABLE IF EXISTS "push_subscriptions"`);
    await q.query(`DROP TABLE IF EXISTS "webhooks"`);
  }
}
