import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
export type Task = components['schemas']['Task'];
export type CreateTask = components['schemas']['CreateTaskDto'];
export type UpdateTask = components['schemas']['UpdateTaskDto'];
export type ReplaceTask = components['schemas']['ReplaceTaskDto'];
export type MoveTask = components['schemas']['MoveTaskDto'];
export type ClearedTasks = components['schemas']['ClearedTasksDto'];
export type TaskStats = components['schemas']['TaskStatsDto'];
export type Tombstone = components['schemas']['TombstoneDto'];
export type Changes = components['schemas']['ChangesDto'];
export type List = components['schemas']['ListDto'];
export type DeletedList = components['schemas']['DeletedListDto'];
export type Problem = components['schemas']['ProblemDto'];
export type ListMember = components['schemas']['MemberDto'];
export type ListInvitation = components['schemas']['InvitationDto'];
export type CreatedInvitation = components['schemas']['CreatedInvitationDto'];
export type InvitationPreview = components['schemas']['InvitationPreviewDto'];
export type Reminder = components['schemas']['ReminderDto'];
export type ReminderNotification = components['schemas']['ReminderNotification'];
export type AppPassword = components['schemas']['AppPasswordDto'];
export type CreatedAppPassword = components['schemas']['CreatedAppPasswordDto'];
export type TasksClient = Client<paths>;
export { subscribe, type SubscribeHandlers, type Subscription } from './subscribe';

export interface TasksClientOptions {
  /** Where the API runs, e.g. `https://api.example.com` (no trailing slash). */
  baseUrl: string;
  /** Returns the current Better Auth JWT (e.g. from `authClient.token()`), or null when signed out. */
  getToken: () => string | null | undefined | Promise<string | null | undefined>;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

/**
 * A fully typed client: paths, parameters, bodies and responses come from the API's OpenAPI
 * document, so a call that does not match the API does not compile.
 *
 * ```ts
 * const api = createTasksClient({ baseUrl, getToken: async () => (await authClient.token()).data?.token });
 * const { data, error, response } = await api.GET('/api/tasks', { params: { query: { status: 'pending' } } });
 * ```
 */
export function createTasksClient({ baseUrl, getToken, fetch }: TasksClientOptions): TasksClient {
  const client = createClient<paths>({ baseUrl, fetch });
  const bearer: Middleware = {
    async onRequest({ request }) {
      const token = await getToken();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(bearer);
  return client;
}

/** The `cursor` of the next page from a list response's `Link` header, if there is one. */
export function nextCursor(response: Response): string | undefined {
  const link = response.headers.get('Link');
  const url = link && /<([^>]+)>;\s*rel="next"/.exec(link)?.[1];
  return url ? (new URLSearchParams(url.split('?')[1]).get('cursor') ?? undefined) : undefined;
}

/** An error answer of the API, with its problem+json body. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem?.title ?? ''}: ${problem?.detail ?? ''}`);
    this.name = 'ProblemError';
  }
}

/** Where `sync()` keeps the caller's copy: any store (a Map, IndexedDB, a state manager). */
export interface SyncStore {
  /** A task in its current state: add it or replace the copy. */
  put(task: Task): void | Promise<void>;
  /** A task was deleted: drop the copy (it may never have been there). */
  remove(id: string): void | Promise<void>;
  /** Drop every copy: a full sync follows (a task deleted meanwhile would otherwise stay). */
  reset(): void | Promise<void>;
  /** A list you can see, in its current state (a new one, renamed, shared with you, your role changed). */
  putList?(list: List): void | Promise<void>;
  /**
   * A list was deleted or you lost access to it: drop it and every task whose `list_id` it is (no
   * tombstone comes for them). Without it, such tasks stay in the store.
   */
  removeList?(id: string): void | Promise<void>;
}

/** How many times one `sync()` starts over with a full sync before it gives up (a `ProblemError`). */
const FULL_SYNC_ATTEMPTS = 2;

/**
 * Brings `store` up to date: follows `GET /api/tasks/changes` from `since` (the token a previous
 * `sync()` returned; absent: a full sync) to the end, applying each change in order, and returns the
 * token to pass next time. A full sync `reset`s the store first. A token that expired (`410`, older
 * than SYNC_RETENTION_DAYS) or was not this user's (`400`) starts over with a full sync, and `full`
 * in the result says so. Other errors are thrown as a ProblemError.
 */
export async function sync(
  client: TasksClient,
  store: SyncStore,
  since?: string,
  limit = 500,
): Promise<{ token: string; full: boolean; applied: number }> {
  let token = since;
  let attempts = 0;
  let applied = 0;
  if (token === undefined) {
    await store.reset();
    attempts++;
  }
  for (;;) {
    const { data, error, response } = await client.GET('/api/tasks/changes', {
      params: { query: { since: token, limit } },
    });
    // Expired, or not a token of this user's (a 400 naming `since`; any other 400 is the caller's own).
    const startOver =
      response.status === 410 ||
      (response.status === 400 && (error?.errors ?? []).some((e) => e.field === 'since'));
    if (error && token !== undefined && startOver && attempts < FULL_SYNC_ATTEMPTS) {
      await store.reset();
      attempts++;
      token = undefined;
      continue;
    }
    if (!data) throw new ProblemError(response.status, error);
    // Lists first: a list gone takes its tasks along, then the tasks' changes apply.
    for (const list of data.lists) {
      if ('deleted' in list) await store.removeList?.(list.id);
      else await store.putList?.(list);
    }
    for (const change of data.changes) {
      if ('deleted' in change) await store.remove(change.id);
      else await store.put(change);
      applied++;
    }
    token = data.sync_token;
    if (!data.has_more) return { token, full: attempts > 0, applied };
  }
}
