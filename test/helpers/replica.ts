import type { INestApplication } from '@nestjs/common';
import type { ListDto } from '../../src/lists/dto/list.dto.js';
import type { Task } from '../../src/tasks/dto/task.dto.js';
import { as, listAll } from './app.js';

// A sync client of the shared lists (contract "Lists and sharing": Sync), shared by the specs
// that prove a client following tokens ends equal to the server.

/** A user's supertest client of one app, knowing its user. */
export type Api = ReturnType<typeof as> & { user: string };
export const client = (user: string, app: INestApplication): Api => ({ ...as(app, user), user });

export type TaskEntry = Task | { id: string; deleted: true; deleted_at: string };
export type ListEntry = ListDto | { id: string; deleted: true };
export interface Page {
  changes: TaskEntry[];
  lists: ListEntry[];
  sync_token: string;
  has_more: boolean;
}

/** One page of GET /api/tasks/changes (expected to be 200). */
export const page = async (api: Api, since?: string, limit = 1000): Promise<Page> => {
  const query = new URLSearchParams({ limit: String(limit) });
  if (since !== undefined) query.set('since', since);
  const res = await api.get(`/api/tasks/changes?${query.toString()}`);
  expect(res.status).toBe(200);
  return res.body as Page;
};

/** What the server shows a user now: GET /api/lists and every task it lists, each by id. */
export const serverView = async (
  api: Api,
): Promise<{ lists: Record<string, ListDto>; tasks: Record<string, Task> }> => {
  const lists = (await api.get('/api/lists').expect(200)).body as ListDto[];
  const tasks = await listAll(api);
  return {
    lists: Object.fromEntries(lists.map((l) => [l.id, l])),
    tasks: Object.fromEntries(tasks.map((x) => [x.id, x])),
  };
};

/**
 * A client's copy: the lists and tasks it holds, and its token. `api` is where it syncs; a
 * function picks it anew for each page (a client behind a load balancer).
 */
export class Replica {
  readonly lists = new Map<string, ListDto>();
  readonly tasks = new Map<string, Task>();
  token?: string;
  constructor(private readonly via: Api | (() => Api)) {}

  get api(): Api {
    return typeof this.via === 'function' ? this.via() : this.via;
  }

  /** A list gone (deleted, or access lost): the copy drops it and its tasks. */
  dropList(id: string): void {
    this.lists.delete(id);
    for (const [task, x] of this.tasks) if (x.list_id === id) this.tasks.delete(task);
  }

  /** One page, applied: lists first (a list gone takes its tasks along), then the tasks. */
  async step(limit = 1000): Promise<Page> {
    const p = await page(this.api, this.token, limit);
    for (const l of p.lists) {
      if ('deleted' in l) this.dropList(l.id);
      else this.lists.set(l.id, l);
    }
    for (const c of p.changes) {
      if ('deleted' in c) this.tasks.delete(c.id);
      else this.tasks.set(c.id, c);
    }
    this.token = p.sync_token;
    return p;
  }

  /** Pages until `has_more` is false; every entry seen. */
  async sync(limit = 1000): Promise<{ changes: TaskEntry[]; lists: ListEntry[] }> {
    const seen = { changes: [] as TaskEntry[], lists: [] as ListEntry[] };
    for (;;) {
      const p = await this.step(limit);
      seen.changes.push(...p.changes);
      seen.lists.push(...p.lists);
      if (!p.has_more) return seen;
    }
  }

  /** The copy, by id, in the shape of serverView. */
  view(): { lists: Record<string, ListDto>; tasks: Record<string, Task> } {
    return { lists: Object.fromEntries(this.lists), tasks: Object.fromEntries(this.tasks) };
  }

  /**
   * Whether the copy, synced to the end, is what the server shows its user now (read first: the
   * first GET /api/lists makes the user's inbox, a change the sync then brings).
   */
  async expectEqualToServer(limit = 1000): Promise<void> {
    const server = await serverView(this.api);
    await this.sync(limit);
    expect(this.view()).toEqual(server);
  }
}

export const createList = async (api: Api, name: string): Promise<ListDto> =>
  (await api.post('/api/lists').send({ name }).expect(201)).body as ListDto;
export const createTask = async (api: Api, list: string, title: string): Promise<Task> =>
  (await api.post('/api/tasks').send({ title, list_id: list }).expect(201)).body as Task;
