import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type Task = components['schemas']['Task'];
export type CreateTask = components['schemas']['CreateTaskDto'];
export type UpdateTask = components['schemas']['UpdateTaskDto'];
export type ReplaceTask = components['schemas']['ReplaceTaskDto'];
export type MoveTask = components['schemas']['MoveTaskDto'];
export type ClearedTasks = components['schemas']['ClearedTasksDto'];
export type TaskStats = components['schemas']['TaskStatsDto'];
export type Problem = components['schemas']['ProblemDto'];
export type TasksClient = Client<paths>;

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
