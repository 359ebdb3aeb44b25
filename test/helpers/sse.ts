import { createParser } from 'eventsource-parser';
import { tokenFor } from './tokens.js';

/** One server-sent event as a client sees it (comments are kept as `event: 'comment'`, their text as `data`). */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * A test's event-stream client over fetch (EventSource cannot send a bearer token): opens
 * `url` as `user`, parses the stream as it arrives, and lets the test wait for what it expects.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  status = 0;
  ended = false;
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];

  static async open(url: string, user: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    const res = await fetch(url, {
      headers: { Authorization: `Bearer ${tokenFor(user)}`, ...headers },
      signal: client.abort.signal,
    });
    client.status = res.status;
    if (res.status !== 200 || !res.body) {
      client.body = await res.text();
      client.ended = true;
      return client;
    }
    void client.read(res.body);
    return client;
  }

  body = '';

  /** Task and deletion events (not comments or resyncs). */
  get changes(): SseEvent[] {
    return this.events.filter((e) => e.event === 'task' || e.event === 'task.deleted');
  }

  /** Resolves once `predicate` holds (checked on every event and at the end), or rejects after `ms`. */
  async until(predicate: (client: SseClient) => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`timed out; events so far: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close(): void {
    this.abort.abort();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const parser = createParser({
      onEvent: ({ id, event, data }) => this.events.push({ id, event: event ?? 'message', data }),
      onComment: (comment) => this.events.push({ event: 'comment', data: comment }),
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        this.wake();
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
