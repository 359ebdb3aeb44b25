import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ece from 'http_ece';
import { importJWK, jwtVerify, type JWTPayload } from 'jose';
import { TEST_VAPID } from '../setup-env.js';

// A push service on 127.0.0.1 for a test: decrypts each message (RFC 8291) with the subscription's
// private key and auth secret using `http_ece` (the reference implementation), and verifies the
// VAPID JWT (RFC 8292) with `jose`: aud, exp, sub and the k= key. The run's one key pair
// (test/setup-env.ts): whichever app of the run sends a delivery signs with it.
const VAPID = TEST_VAPID;
const SUBJECT = TEST_VAPID.subject;

/** A browser's subscription: its key pair and auth secret, as the push service's client would hold them. */
export interface Browser {
  ecdh: ECDH;
  auth: string;
  endpoint: string;
  json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
}

export interface Pushed {
  path: string;
  headers: IncomingHttpHeaders;
  plaintext?: string;
  jwt?: JWTPayload;
  error?: string;
  status: number;
  at: number;
}

/** The push service: decrypts and verifies every message, answers as `respond` says (201 by default). */
export class PushService {
  readonly pushed: Pushed[] = [];
  private readonly server: Server;
  private readonly browsers = new Map<string, Browser>();
  respond: (n: number) => { status: number; headers?: Record<string, string> } = () => ({ status: 201 });

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.receive(req.url ?? '', req.headers, Buffer.concat(chunks)).then((got) => {
          const answer = this.respond(this.pushed.length);
          got.status = answer.status;
          this.pushed.push(got);
          res.writeHead(answer.status, answer.headers).end();
        });
      });
    });
  }

  private async receive(path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Pushed> {
    const got: Pushed = { path, headers, status: 0, at: Date.now() };
    try {
      const browser = this.browsers.get(path);
      if (!browser) throw new Error(`no browser at ${path}`);
      got.plaintext = ece
        .decrypt(body, {
          version: 'aes128gcm',
          privateKey: browser.ecdh,
          authSecret: browser.auth,
        })
        .toString('utf8');
      const auth = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(String(headers.authorization));
      if (!auth) throw new Error(`Authorization: ${headers.authorization}`);
      if (auth[2] !== VAPID.publicKey) throw new Error('k= is not the server key');
      const k = Buffer.from(auth[2], 'base64url');
      const key = await importJWK(
        {
          kty: 'EC',
          crv: 'P-256',
          x: k.subarray(1, 33).toString('base64url'),
          y: k.subarray(33).toString('base64url'),
        },
        'ES256',
      );
      const { payload } = await jwtVerify(auth[1], key, {
        algorithms: ['ES256'],
        audience: this.origin,
        subject: SUBJECT,
        requiredClaims: ['exp'],
      });
      // RFC 8292 §2: no more than 24 hours ahead.
      if (payload.exp! > Date.now() / 1000 + 24 * 3600) throw new Error('exp more than 24 h ahead');
      got.jwt = payload;
    } catch (err) {
      got.error = (err as Error).message;
    }
    return got;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  browser(): Browser {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16).toString('base64url');
    const path = `/push/${randomBytes(8).toString('hex')}`;
    const endpoint = `${this.origin}${path}`;
    const browser: Browser = {
      ecdh,
      auth,
      endpoint,
      json: {
        endpoint,
        expirationTime: null,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth },
      },
    };
    this.browsers.set(path, browser);
    return browser;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
