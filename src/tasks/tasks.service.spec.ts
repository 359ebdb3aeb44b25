import { jest } from '@jest/globals';
import { fingerprint } from '../common/fingerprint.js';
import type { Database } from '../database/database.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { decodeCursor } from './cursor.js';
import type { Task } from './dto/task.dto.js';
import { InvalidCursorError, StaleTaskError, TaskNotFoundError } from './task.errors.js';
import { ReadOnlyListError } from '../lists/list.errors.js';
import { SORTS, SORT_KEYS, TASK_COLUMNS, WRITABLE_DEFAULTS, withDefaults } from './task.schema.js';
import type { TaskOrdering } from './task-ordering.js';
import type { TasksRepository } from './tasks.repository.js';
import { createFingerprint, TasksService } from './tasks.service.js';

/** A task: every column (TASK_COLUMNS; those not named here null), as the repository returns it. */
const task = (over: Partial<Task> = {}): Task =>
  Object.assign(Object.fromEntries(TASK_COLUMNS.map((c) => [c, null])), {
    id: '3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b',
    user_id: 'alice',
    title: 'Buy milk',
    description: null,
    completed: false,
    priority: 'medium',
    due_date: null,
    tags: [],
    created_at: '2026-11-26T17:49:08.123Z',
    updated_at: '2026-11-26T17:49:08.123Z',
    version: 1,
    parent_id: null,
    position: 'a0',
    ...over,
  }) as Task;

/** The repository as a set of fakes; each test says what they answer. */
function setup() {
  const repo = {
    list: jest.fn<TasksRepository['list']>(),
    findOne: jest.fn<TasksRepository['findOne']>(),
    findWithRole: jest.fn<TasksRepository['findWithRole']>(),
    insert: jest.fn<TasksRepository['insert']>(),
    update: jest.fn<TasksRepository['update']>(),
    setCompleted: jest.fn<TasksRepository['setCompleted']>(),
    delete: jest.fn<TasksRepository['delete']>(),
    access: jest.fn<TasksRepository['access']>(),
    stats: jest.fn<TasksRepository['stats']>(),
    lockSeries: jest.fn<TasksRepository['lockSeries']>(),
  };
  // A transaction that just runs its work (recurring tasks' real transactions: test/recurrence.e2e-spec.ts).
  const db = { transaction: (_user: string, work: () => Promise<unknown>) => work() };
  const idempotency = { run: jest.fn() };
  const service = new TasksService(
    repo as unknown as TasksRepository,
    idempotency as unknown as IdempotencyService,
    {} as TaskOrdering, // moves are e2e-tested (test/order.e2e-spec.ts)
    db as unknown as Database,
  );
  return { repo, idempotency, service };
}

describe('TasksService', () => {
  describe('create', () => {
    it('fills every writable field, absent ones at their defaults', async () => {
      const { repo, service } = setup();
      repo.insert.mockResolvedValue(task());
      await service.create('alice', { title: 'Buy milk', due_date: '2026-12-01T18:00:00+01:00' });
      expect(repo.insert).toHaveBeenCalledWith(
        'alice',
        null,
        { ...WRITABLE_DEFAULTS, title: 'Buy milk', due_date: new Date('2026-12-01T17:00:00.000Z') },
        { parent: null, after: null },
      );
    });

    it('with a key, runs the insert under the key, with the fingerprints of the request', async () => {
      const { repo, idempotency, service } = setup();
      const created = task();
      idempotency.run.mockImplementation(async (...args: unknown[]) => {
        const work = args[3] as () => Promise<Task>;
        return { value: await work(), replayed: false };
      });
      repo.insert.mockResolvedValue(created);
      const a = await service.create('alice', { title: 'x', tags: ['a'] }, 'key-1');
      expect(a).toEqual({ task: created, replayed: false });
      expect(repo.insert).toHaveBeenCalledWith('alice', null, expect.objectContaining({ title: 'x' }), {
        parent: null,
        after: null,
      });
      const [[user, key, fingerprints]] = idempotency.run.mock.calls as [string, string, string[]][];
      expect([user, key]).toEqual(['alice', 'key-1']);
      // Stored: what the client sent. Also accepted: what the release before stored (its defaults
      // filled in: that release had no assignee_id).
      const before: Record<string, unknown> = { ...WRITABLE_DEFAULTS };
      delete before.assignee_id;
      expect(fingerprints).toEqual([
        createFingerprint({ title: 'x', tags: ['a'] }),
        fingerprint({ ...before, title: 'x', tags: ['a'] }),
      ]);
    });

    it('the fingerprint is what the client sent: a field added to tasks later does not change it', () => {
      const dto = { title: 'x', due_date: '2026-12-01T18:00:00+01:00' };
      const before = createFingerprint(dto);
      const legacy = fingerprint(withDefaults({ title: 'x' }));
      const defaults = WRITABLE_DEFAULTS as Record<string, unknown>;
      defaults.added_later = null; // as a release adding a nullable field would
      try {
        expect(createFingerprint(dto)).toBe(before);
        // (Defaults filled in, as before, would have made the retry another request.)
        expect(fingerprint(withDefaults({ title: 'x' }))).not.toBe(legacy);
      } finally {
        delete defaults.added_later;
      }
      // The same instant written in another zone is the same request; another value is not.
      expect(createFingerprint({ title: 'x', due_date: '2026-12-01T17:00:00Z' })).toBe(before);
      expect(createFingerprint({ title: 'y', due_date: '2026-12-01T17:00:00Z' })).not.toBe(before);
    });
  });

  describe('conditional writes', () => {
    it('a write that matched nothing is stale when the task is at another version', async () => {
      const { repo, service } = setup();
      repo.update.mockResolvedValue(null);
      repo.access.mockResolvedValue({ version: 4, role: 'editor', assignable: true });
      const err = await service.update('alice', 'id', { title: 'y' }, [3]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StaleTaskError);
      expect((err as StaleTaskError).currentVersion).toBe(4);
    });

    it('and not found when the task does not exist (or is in no list of the caller’s)', async () => {
      const { repo, service } = setup();
      repo.delete.mockResolvedValue(false);
      repo.access.mockResolvedValue(null);
      await expect(service.remove('alice', 'id', [3])).rejects.toBeInstanceOf(TaskNotFoundError);
    });

    it('and read-only when the caller only views the task’s list, whatever the version', async () => {
      const { repo, service } = setup();
      repo.setCompleted.mockResolvedValue(null);
      // No plain task matched: the careful way (a recurring task) locks none either.
      repo.lockSeries.mockResolvedValue(null);
      repo.access.mockResolvedValue({ version: 4, role: 'viewer', assignable: true });
      await expect(service.setCompleted('alice', 'id')).rejects.toBeInstanceOf(ReadOnlyListError);
      await expect(service.setCompleted('alice', 'id', true, [3])).rejects.toBeInstanceOf(ReadOnlyListError);
    });

    it('an unconditional write that matched nothing while the caller may write is not found', async () => {
      const { repo, service } = setup();
      repo.setCompleted.mockResolvedValue(null);
      repo.lockSeries.mockResolvedValue(null);
      repo.access.mockResolvedValue({ version: 4, role: 'owner', assignable: true });
      await expect(service.setCompleted('alice', 'id')).rejects.toBeInstanceOf(TaskNotFoundError);
    });

    it('an empty PATCH writes nothing, but still honours If-Match', async () => {
      const { repo, service } = setup();
      repo.findWithRole.mockResolvedValue({ task: task({ version: 2 }), role: 'editor' });
      expect(await service.update('alice', 'id', {}, [2])).toEqual(task({ version: 2 }));
      await expect(service.update('alice', 'id', {}, [1])).rejects.toBeInstanceOf(StaleTaskError);
      expect(repo.update).not.toHaveBeenCalled();
    });

    it('an empty PATCH is still a write: a viewer is read-only, a non-member not found', async () => {
      const { repo, service } = setup();
      repo.findWithRole.mockResolvedValueOnce({ task: task({ version: 2 }), role: 'viewer' });
      await expect(service.update('alice', 'id', {})).rejects.toBeInstanceOf(ReadOnlyListError);
      repo.findWithRole.mockResolvedValueOnce(null);
      await expect(service.update('alice', 'id', {})).rejects.toBeInstanceOf(TaskNotFoundError);
    });

    it('PATCH passes only the fields given; null clears', async () => {
      const { repo, service } = setup();
      repo.update.mockResolvedValue(task());
      await service.update('alice', 'id', { description: null, tags: ['x'] });
      expect(repo.update).toHaveBeenCalledWith('alice', 'id', { description: null, tags: ['x'] }, undefined);
    });
  });

  describe('list', () => {
    it.each(SORT_KEYS)('sort=%s defaults to its own order', async (sort) => {
      const { repo, service } = setup();
      repo.list.mockResolvedValue({ items: [], total: 0, more: false });
      await service.list('alice', { sort });
      const query = repo.list.mock.calls[0][1];
      expect(query).toMatchObject({ sort, order: SORTS[sort].defaultOrder, limit: 50, status: 'all' });
    });

    it('gives a cursor after the last row only while more remain, and reads it back', async () => {
      const { repo, service } = setup();
      const last = task({ id: '00000000-0000-4000-8000-000000000001', due_date: null });
      repo.list.mockResolvedValue({ items: [task(), last], total: 3, more: true });
      const page = await service.list('alice', { sort: 'due_date', order: 'desc', tag: 'home' });
      expect(page.total).toBe(3);
      repo.list.mockResolvedValue({ items: [], total: 3, more: false });
      expect(
        (await service.list('alice', { sort: 'due_date', order: 'desc', tag: 'home', cursor: page.next }))
          .next,
      ).toBeUndefined();
      const after = repo.list.mock.calls[1][1].after;
      expect(after).toMatchObject({ key: '-infinity', id: last.id });
    });

    it('refuses a cursor from a listing with other filters', async () => {
      const { repo, service } = setup();
      repo.list.mockResolvedValue({ items: [task()], total: 2, more: true });
      const { next } = await service.list('alice', { tag: 'home' });
      await expect(service.list('alice', { tag: 'work', cursor: next })).rejects.toThrow(
        InvalidCursorError.foreign,
      );
      expect(() => decodeCursor(next!, { sort: 'created_at', order: 'asc', filters: 'x' })).toThrow(
        InvalidCursorError,
      );
    });
  });
});
