import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { CreatedWebhookDto } from '../../src/webhooks/dto/webhook.dto.js';
import type { as } from './app.js';

/** One request the receiver got: its headers, raw body, whether its signature verified, and when. */
export interface Received {
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed by `Webhook.verify` (undefined when it did not verify). */
  verified?: { type: string; timestamp: string; data: Record<string, unknown> };
  error?: string;
  at: number;
  status: number;
}

/** What the receiver answers the n-th request (0-based) with. */
export type Responder = (n: number, req: Received) => { status: number; headers?: Record<string, string> };

/**
 * A Standard Webhooks receiver on 127.0.0.1 for a test: verifies every delivery with the
 * `standardwebhooks` library's `Webhook.verify` and the secret it is given (after the webhook was
 * made), counts deliveries by `webhook-id`, and answers as its responder says (200 by default).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly server: Server;
  private secret?: string;

  private constructor(private respond: Responder) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const got: Received = {
          id: String(req.headers['webhook-id']),
          headers: req.headers,
          body,
          at: Date.now(),
          status: 0,
        };
        try {
          if (!this.secret) throw new Error('no secret yet');
          got.verified = new Webhook(this.secret).verify(
            body,
            req.headers as Record<string, string>,
          ) as Received['verified'];
        } catch (err) {
          got.error = (err as Error).message;
        }
        const answer = this.respond(this.received.length, got);
        got.status = answer.status;
        this.received.push(got);
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end('ok');
      });
    });
  }

  static async start(respond: Responder = () => ({ status: 200 })): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(respond);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  verifyWith(secret: string): void {
    this.secret = secret;
  }

  answer(respond: Responder): void {
    this.respond = respond;
  }

  /** How many requests came with each `webhook-id`. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.received) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    return counts;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Receivers for a spec's tests: `receiver(respond?)` starts one, closed after the test that made it. */
export function useWebhookReceivers(): (respond?: Responder) => Promise<WebhookReceiver> {
  const open: WebhookReceiver[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
  });
  return async (respond?: Responder) => {
    const r = await WebhookReceiver.start(respond);
    open.push(r);
    return r;
  };
}

/** `api`'s user makes a webhook of `events` to receiver `r`, which then verifies with its secret. */
export async function hookTo(
  api: ReturnType<typeof as>,
  r: WebhookReceiver,
  events: string[],
): Promise<CreatedWebhookDto> {
  const res = await api.post('/api/webhooks').send({ url: r.url, events });
  expect(res.status).toBe(201);
  r.verifyWith(res.body.secret);
  return res.body;
}
