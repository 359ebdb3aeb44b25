import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Agent, request } from 'undici';
import type { Env } from '../config/env.js';
import { AddressRefusedError, checkUrl, guardedLookup } from './outbound-address.js';
import { retryAfterMs } from './retry.js';
import type { SendOutcome } from './sender.js';

/** Undici's error codes for a receiver that did not answer in time (and the abort of our own timer). */
const TIMEOUTS = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
  'ABORT_ERR',
]);

/** The error and its causes, outermost first. */
function* causes(err: unknown): Generator<unknown> {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) yield e;
}

/**
 * The HTTP client of every outbound delivery (webhooks, Web Push): undici (pinned) with one Agent
 * whose sockets resolve names through guardedLookup, so the address rule (outbound-address.ts)
 * holds for the address each connection is really made to. One POST per attempt, no redirects
 * followed (undici's `request` follows none), the whole exchange within WEBHOOK_TIMEOUT_MS, the
 * answer's body read and dropped. The outcome: `delivered` for a 2xx, `gone` for the channel's
 * gone statuses, `retry` for timeouts, network errors and RETRY_STATUSES (with `Retry-After`), `failed`
 * for the rest (an address refused, a redirect, another 4xx).
 */
@Injectable()
export class OutboundHttp implements OnApplicationShutdown {
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  /** undici and the Agent, loaded on the first delivery: an instance that never sends one holds neither (≈ 10 MiB). */
  private client?: Promise<{ agent: Agent; request: typeof request }>;

  constructor(config: ConfigService<Env, true>) {
    this.allowPrivate = config.get('NOTIFY_ALLOW_PRIVATE', { infer: true });
    this.timeoutMs = config.get('WEBHOOK_TIMEOUT_MS', { infer: true });
  }

  private http(): Promise<{ agent: Agent; request: typeof request }> {
    return (this.client ??= import('undici').then((undici) => ({
      request: undici.request,
      agent: new undici.Agent({
        connect: { lookup: guardedLookup(this.allowPrivate), timeout: this.timeoutMs },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        keepAliveTimeout: 4000,
      }),
    })));
  }

  /** POSTs `body` to `target`: the outcome of this one attempt (never throws for what the receiver did). */
  async post(
    target: string,
    headers: Record<string, string>,
    body: string | Buffer,
    goneStatuses: readonly number[],
  ): Promise<SendOutcome> {
    try {
      const url = new URL(target);
      checkUrl(url, this.allowPrivate);
      const { agent, request } = await this.http();
      const res = await request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher: agent,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.body.dump().catch(() => undefined);
      return outcomeOf(res.statusCode, res.headers['retry-after'], goneStatuses);
    } catch (err) {
      return this.failureOf(err);
    }
  }

  private failureOf(err: unknown): SendOutcome {
    for (const e of causes(err)) {
      if (e instanceof AddressRefusedError) return { kind: 'failed', error: e.message };
      const { code, name } = e as { code?: string; name?: string };
      if ((code && TIMEOUTS.has(code)) || name === 'TimeoutError' || name === 'AbortError') {
        return { kind: 'retry', error: `timeout: no answer within ${this.timeoutMs} ms` };
      }
    }
    if (err instanceof TypeError && /Invalid URL/i.test(err.message))
      return { kind: 'failed', error: 'invalid URL' };
    const { code, message } = err as { code?: string; message?: string };
    return { kind: 'retry', error: `network: ${code ?? message ?? String(err)}` };
  }

  async onApplicationShutdown(): Promise<void> {
    const client = await this.client;
    await client?.agent.destroy().catch(() => undefined);
  }
}

/**
 * Answers worth another attempt besides 5xx: the receiver's own timeout (408), "too early" (425)
 * and "too many requests" (429). Any other 4xx is the request's fault and fails for good.
 */
export const RETRY_STATUSES: readonly number[] = [408, 425, 429];

/** The outcome of an answer with `status` (and its `Retry-After`), for a channel whose target is gone on `goneStatuses`. */
export function outcomeOf(
  status: number,
  retryAfter: string | string[] | undefined,
  goneStatuses: readonly number[],
  now = Date.now(),
): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (goneStatuses.includes(status)) return { kind: 'gone', status, error: `HTTP ${status}` };
  if (RETRY_STATUSES.includes(status) || status >= 500) {
    return { kind: 'retry', status, error: `HTTP ${status}`, retryAfterMs: retryAfterMs(retryAfter, now) };
  }
  if (status >= 300 && status < 400) {
    return { kind: 'failed', status, error: `HTTP ${status}: redirects are not followed` };
  }
  return { kind: 'failed', status, error: `HTTP ${status}` };
}
