import { createParser } from 'eventsource-parser';
import type { List, ReminderNotification, TasksClientOptions, Task } from './index';

/** What `subscribe()` calls as changes arrive; `token` is the event's id (a sync token). */
export interface SubscribeHandlers {
  /** A task was created or changed: its current state. */
  onTask(task: Task, token: string): void;
  /** A task was deleted. */
  onDeleted(id: string, token: string): void;
  /** A list you can see, in its current state. */
  onList?(list: List, token: string): void;
  /** A list was deleted or you lost access to it: drop it and every task of it. */
  onListDeleted?(id: string, token: string): void;
  /** One of your reminders fired (live only: one that fired while the stream was away does not come again). */
  onReminder?(notification: ReminderNotification): void;
  /**
   * The token the stream resumes from is too old (or not yours): bring your copy up to date with a
   * full `sync()` and return its token; the stream goes on from there. Without it: from now on.
   */
  onResync?(): Promise<string | undefined> | string | undefined;
  /** The stream is open (first time or after a reconnect): changes committed from now on will arrive. */
  onOpen?(): void;
  /** The stream broke (it reconnects by itself); for logging. */
  onError?(error: unknown): void;
}

export interface Subscription {
  /** Stops the stream for good. */
  close(): void;
}

const MAX_DELAY_MS = 30_000;
/** The server sends something at least every 15 s; this long without a byte means the connection is dead. */
const IDLE_MS = 45_000;

/**
 * Live changes of the signed-in user (`GET /api/tasks/events`) over fetch, which, unlike
 * EventSource, can send the Bearer token. It reconnects by itself (after the server's `retry`,
 * backing off to 30 s while it fails) with `Last-Event-ID`, so no change is missed across
 * reconnects; it asks `getToken` again each time, so an expired token is replaced. Start it from
 * the token `sync()` returned to get every change since that sync.
 *
 * ```ts
 * const sub = subscribe({ baseUrl, getToken }, { onTask: put, onDeleted: remove }, token);
 * // later: sub.close();
 * ```
 */
export function subscribe(
  { baseUrl, getToken, fetch = globalThis.fetch }: TasksClientOptions,
  handlers: SubscribeHandlers,
  since?: string,
): Subscription {
  const abort = new AbortController();
  let lastId = since;
  let retryMs = 1000;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const token = await getToken();
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (lastId) headers['Last-Event-ID'] = lastId;
    const response = await fetch(`${baseUrl}/api/tasks/events`, { headers, signal: abort.signal });
    if (response.status === 400 && lastId) {
      await response.body?.cancel();
      lastId = (await handlers.onResync?.()) ?? undefined;
      return;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(`GET /api/tasks/events: ${response.status}`);
    }
    failures = 0;
    handlers.onOpen?.();
    let resync = false;
    const parser = createParser({
      onRetry: (ms) => (retryMs = ms),
      onEvent: ({ event, id, data }) => {
        if (event === 'resync') resync = true;
        if (event === 'reminder') return handlers.onReminder?.(JSON.parse(data) as ReminderNotification);
        if (!id) return;
        if (event === 'task') handlers.onTask(JSON.parse(data) as Task, id);
        else if (event === 'task.deleted') handlers.onDeleted((JSON.parse(data) as { id: string }).id, id);
        else if (event === 'list') handlers.onList?.(JSON.parse(data) as List, id);
        else if (event === 'list.deleted')
          handlers.onListDeleted?.((JSON.parse(data) as { id: string }).id, id);
        // Only once handled: a handler that throws gets the event again after the reconnect.
        lastId = id;
      },
    });
    const decoder = new TextDecoder();
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    // A connection that goes silent (no event, no heartbeat) for IDLE_MS is given up and made again.
    let idle = setTimeout(() => void reader.cancel(), IDLE_MS);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        clearTimeout(idle);
        idle = setTimeout(() => void reader.cancel(), IDLE_MS);
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      clearTimeout(idle);
    }
    if (resync) lastId = (await handlers.onResync?.()) ?? undefined;
  };

  void (async () => {
    while (!abort.signal.aborted) {
      try {
        await connect();
      } catch (error) {
        if (abort.signal.aborted) return;
        failures++;
        handlers.onError?.(error);
      }
      const delay = Math.min(MAX_DELAY_MS, retryMs * 2 ** Math.min(failures, 5));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  })();
  return { close: () => abort.abort() };
}
