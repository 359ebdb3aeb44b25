import { ServerResponse, type Server } from 'node:http';
import { Logger } from '@nestjs/common';

/** How often waiting responses are checked against the timeout (Node checks its own request timeouts as often). */
const SWEEP_MS = 1000;

export interface UnsentLimits {
  HTTP_RESPONSE_TIMEOUT_MS: number;
  HTTP_UNSENT_MAX_MB: number;
}

/**
 * Slow readers cannot hold memory. What a response writes and its client has not taken yet waits in
 * the process: in the socket's buffer once the kernel's is full, or, for a pipelined response, in the
 * response itself. A response that has bytes waiting must see them all taken within
 * HTTP_RESPONSE_TIMEOUT_MS, or its connection is closed (and what waited with it freed); each time its
 * queue empties (a `drain`, or seen empty) it starts again. An answer is written at once (`res.send`),
 * so it is abandoned when the client does not take it within the timeout, however slowly it reads; an
 * event stream whose client reads empties its queue at every event and is never cut, one whose client
 * stopped reading is cut once its queue has waited that long.
 *
 * All responses' waiting bytes together stay within HTTP_UNSENT_MAX_MB, whatever the number of
 * clients: a write that takes the total beyond it closes the connections that have been waiting
 * longest (oldest first) until the rest fits. What waits in the kernel's socket buffers is not the
 * process's memory and is not counted.
 */
export class UnsentResponses {
  private readonly logger = new Logger('SlowReaders');
  /** Responses with bytes waiting, with the time they started waiting: a Map keeps that order. */
  private readonly waiting = new Map<ServerResponse, number>();
  /** Responses that have the listeners below. */
  private readonly watched = new WeakSet<ServerResponse>();
  /** The total waiting when last counted plus every byte added since: never less than the truth. */
  private estimate = 0;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private timer?: NodeJS.Timeout;
  private closed = { timeout: 0, budget: 0 };

  constructor(limits: UnsentLimits) {
    this.maxBytes = limits.HTTP_UNSENT_MAX_MB * 1024 * 1024;
    this.timeoutMs = limits.HTTP_RESPONSE_TIMEOUT_MS;
  }

  /** A listener for when `res`'s queue emptied (or it ended): it waits no more. */
  private readonly forget = (res: ServerResponse) => () => void this.waiting.delete(res);

  /** Checks the waiting responses every second while `server` listens. */
  watch(server: Server): void {
    const start = () => {
      this.timer ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    };
    server.on('listening', start);
    server.on('close', () => {
      clearInterval(this.timer);
      this.timer = undefined;
    });
    if (server.listening) start();
  }

  /** A write or end of `res` left bytes waiting, `added` more than before. */
  noted(res: ServerResponse, added: number): void {
    if (!this.waiting.has(res)) {
      this.waiting.set(res, Date.now());
      if (!this.watched.has(res)) {
        this.watched.add(res);
        const forget = this.forget(res);
        res.on('drain', forget);
        res.once('close', forget);
      }
    }
    this.estimate += added;
    if (this.estimate > this.maxBytes) this.fit();
  }

  /** Counts what waits; over the budget, closes the longest-waiting connections until the rest fits. */
  private fit(): void {
    let total = 0;
    for (const res of this.waiting.keys()) total += waitingIn(res);
    for (const res of this.waiting.keys()) {
      if (total <= this.maxBytes) break;
      total -= waitingIn(res);
      this.close(res);
      this.closed.budget++;
    }
    this.estimate = total;
  }

  /** Forgets responses whose queue emptied, closes those that waited too long, and counts the rest. */
  private sweep(): void {
    const deadline = Date.now() - this.timeoutMs;
    let total = 0;
    for (const [res, since] of this.waiting) {
      const queued = waitingIn(res);
      if (queued === 0) this.waiting.delete(res);
      else if (since <= deadline) {
        this.close(res);
        this.closed.timeout++;
      } else total += queued;
    }
    this.estimate = total;
    const { timeout, budget } = this.closed;
    if (timeout + budget === 0) return;
    this.logger.warn(
      `Closed ${timeout + budget} connections whose clients did not take their responses ` +
        `(${timeout} after HTTP_RESPONSE_TIMEOUT_MS, ${budget} over HTTP_UNSENT_MAX_MB)`,
    );
    this.closed = { timeout: 0, budget: 0 };
  }

  /** Closes the connection (a pipelined response has none of its own yet: its request's is the one). */
  private close(res: ServerResponse): void {
    this.waiting.delete(res);
    res.req.socket.destroy();
  }
}

/** What `res` holds for its client; nothing once its connection is gone (a pipelined response's too). */
const waitingIn = (res: ServerResponse): number =>
  res.destroyed || res.req.socket.destroyed ? 0 : res.writableLength;

/**
 * Notes, after every write and end of a response, what it left waiting (UnsentResponses). Set on the
 * app's response prototype (Express's way to extend responses, which define neither method): two
 * length reads per call, nothing more when the kernel took it all.
 */
export function limitUnsentResponses(prototype: ServerResponse, server: Server, limits: UnsentLimits): void {
  const unsent = new UnsentResponses(limits);
  unsent.watch(server);
  const noting = <M extends 'write' | 'end'>(method: M): ServerResponse[M] =>
    function (this: ServerResponse, ...args: unknown[]) {
      const before = this.writableLength;
      const result = (ServerResponse.prototype[method] as (...a: unknown[]) => unknown).apply(this, args);
      const after = this.writableLength;
      if (after > 0) unsent.noted(this, Math.max(0, after - before));
      return result;
    } as ServerResponse[M];
  prototype.write = noting('write');
  prototype.end = noting('end');
}
