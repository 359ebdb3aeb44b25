import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { eventually } from './helpers/eventually.js';
import { as, useTestApp } from './helpers/app.js';
import { useDirectQuery } from './helpers/pg.js';
import { newUser } from './helpers/tokens.js';
import { hookTo, useWebhookReceivers, type WebhookReceiver } from './helpers/webhook-receiver.js';

// What a task write pays for webhooks and reminders (migration NotifyFlags; #31 item 6): a write
// that no webhook watches, of a task nobody set a reminder on, runs none of their triggers. The
// flags that decide it are kept by triggers when webhooks, memberships and reminders change; these
// tests prove that they are turned on and off at the right moments, and that setting them is no
// change of the task for anyone.
const t = useTestApp({ DELIVERY_TICK_MS: '200', DELIVERY_RETRY_BASE_MS: '300' });
type Api = ReturnType<typeof as>;
const query = useDirectQuery();

const receiver = useWebhookReceivers();
const hook = async (api: Api, r: WebhookReceiver) => (await hookTo(api, r, ['task.updated'])).id;
const makeTask = async (api: Api, body: Record<string, unknown>): Promise<Task> =>
  (await api.post('/api/tasks').send(body).expect(201)).body;

/**
 * The row triggers one write of the task runs (EXPLAIN ANALYZE lists each trigger that fired), as a
 * write the app makes: `set` (by default the title), version and updated_at. The write is real.
 */
async function triggersOf(taskId: string, set = `title = title || '.'`): Promise<string[]> {
  const [row] = await query<{ 'QUERY PLAN': [{ Triggers: { 'Trigger Name': string }[] }] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON)
     UPDATE tasks SET ${set}, version = version + 1, updated_at = now() WHERE id = $1`,
    [taskId],
  );
  return row['QUERY PLAN'][0].Triggers.map((x) => x['Trigger Name']).sort();
}
const PLAIN = ['tasks_change_write', 'tasks_counts_flush'];
const WATCHED = ['tasks_change_write', 'tasks_counts_flush', 'tasks_webhook_update'];

/** The task's row as the sync and the ETag see it. */
const stateOf = async (id: string) =>
  (await query<{ version: number; seq: string }>('SELECT version, seq FROM tasks WHERE id = $1', [id]))[0];

const updatesOf = (r: WebhookReceiver, id: string) =>
  r.received.filter((x) => x.verified?.type === 'task.updated' && x.verified.data.id === id);

describe('a task write pays for webhooks and reminders only when someone needs them', () => {
  it('a write in a list no webhook watches, of a task without reminders, runs neither trigger', async () => {
    const api = as(t.app, newUser());
    const task = await makeTask(api, { title: 'plain', due_date: '2031-01-01T09:00:00Z' });
    expect(await triggersOf(task.id)).toEqual(PLAIN);
    // A toggle over HTTP (the write the benchmark makes) is the same write: nothing queued for it.
    await api.patch(`/api/tasks/${task.id}/complete`).expect(200);
    expect(
      (
        await query(
          'SELECT count(*)::int AS n FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.user_id = $1',
          [task.user_id],
        )
      )[0],
    ).toEqual({ n: 0 });
  });

  it('a webhook made after the list has tasks hears their writes; setting the flag is no change of the task; deleting the webhook turns it off', async () => {
    const api = as(t.app, newUser());
    const task = await makeTask(api, { title: 'older than the webhook' });
    const before = await stateOf(task.id);
    const token = (await api.get('/api/tasks/changes').expect(200)).body.sync_token as string;

    const r = await receiver();
    const webhook = await hook(api, r);
    // The flag is set on the existing task, and that is no change: same version, same change number,
    // nothing new for a synced client.
    expect(await stateOf(task.id)).toEqual(before);
    const since = (await api.get(`/api/tasks/changes?since=${encodeURIComponent(token)}`).expect(200)).body;
    expect(since.changes).toEqual([]);
    expect(since.lists).toEqual([]);

    await api.patch(`/api/tasks/${task.id}`).send({ title: 'heard' }).expect(200);
    await eventually(() => updatesOf(r, task.id).length > 0);
    expect(updatesOf(r, task.id)).toHaveLength(1);
    expect(await triggersOf(task.id)).toEqual(WATCHED);

    await api.delete(`/api/webhooks/${webhook}`).expect(204);
    expect(await triggersOf(task.id)).toEqual(PLAIN);
    expect(await query('SELECT watched FROM lists WHERE id = $1', [task.list_id])).toEqual([
      { watched: false },
    ]);
  });

  it("a member whose webhook watches joins a list: the list's existing tasks are heard; when they leave, no longer", async () => {
    const owner = as(t.app, newUser());
    const memberId = newUser();
    const member = as(t.app, memberId);
    const r = await receiver();
    await hook(member, r);
    const list: ListDto = (await owner.post('/api/lists').send({ name: 'Shared' }).expect(201)).body;
    const task = await makeTask(owner, { title: 'in the shared list', list_id: list.id });
    expect(await triggersOf(task.id)).toEqual(PLAIN);

    const invitation = (
      await owner.post(`/api/lists/${list.id}/invitations`).send({ role: 'editor' }).expect(201)
    ).body;
    await member.post(`/api/invitations/${invitation.token}/accept`).expect(200);
    await owner.patch(`/api/tasks/${task.id}`).send({ title: 'the member hears this' }).expect(200);
    await eventually(() => updatesOf(r, task.id).length > 0);
    expect(updatesOf(r, task.id)).toHaveLength(1);
    // A task made in the list after the join is heard from its first write.
    const later = await makeTask(owner, { title: 'made later', list_id: list.id });
    await owner.patch(`/api/tasks/${later.id}`).send({ title: 'also heard' }).expect(200);
    await eventually(() => updatesOf(r, later.id).length > 0);
    expect(updatesOf(r, later.id)).toHaveLength(1);

    await member.delete(`/api/lists/${list.id}/members/${memberId}`).expect(204);
    expect(await triggersOf(task.id)).toEqual(PLAIN);
    expect(await triggersOf(later.id)).toEqual(PLAIN);
  });

  it('a task moved into a watched list is heard there', async () => {
    const api = as(t.app, newUser());
    const inboxTask = await makeTask(api, { title: 'moves' });
    const watched: ListDto = (await api.post('/api/lists').send({ name: 'Watched' }).expect(201)).body;
    const r = await receiver();
    await hook(api, r); // every list of the user is watched now, the inbox too
    const quiet = as(t.app, newUser());
    const other = await makeTask(quiet, { title: 'nobody watches' });
    expect(await triggersOf(other.id)).toEqual(PLAIN);

    await api.post(`/api/tasks/${inboxTask.id}/move`).send({ list_id: watched.id }).expect(200);
    expect(await triggersOf(inboxTask.id)).toEqual(WATCHED);
  });

  it('the first reminder on a task turns its reminder trigger on, without changing the task', async () => {
    const api = as(t.app, newUser());
    const task = await makeTask(api, { title: 'remind me', due_date: '2031-01-01T09:00:00Z' });
    const before = await stateOf(task.id);
    await api.post(`/api/tasks/${task.id}/reminders`).send({ before_minutes: 30 }).expect(201);
    expect(await stateOf(task.id)).toEqual(before);
    // The reminder follows the due date: the trigger runs.
    await api.patch(`/api/tasks/${task.id}`).send({ due_date: '2031-01-02T09:00:00Z' }).expect(200);
    const [reminder] = (await api.get(`/api/tasks/${task.id}/reminders`).expect(200)).body;
    expect(reminder.next_fire_at).toBe('2031-01-02T08:30:00.000Z');
    expect(await triggersOf(task.id, 'completed = true')).toContain('reminders_follow_task');
  });
});
