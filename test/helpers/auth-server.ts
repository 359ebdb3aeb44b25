import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { toNodeHandler } from 'better-auth/node';
import { bearer, jwt } from 'better-auth/plugins';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

export type BetterAuthAlg = 'EdDSA' | 'ES256' | 'RS256' | 'PS256' | 'ES512';

/**
 * A real Better Auth server (memory adapter, email + password, `jwt` and `bearer` plugins).
 * With `hs256Secret`, its `jwt` plugin signs HS256 itself, the way docs/frontend.md's "shared secret" mode
 * configures it (custom `jwt.sign` + `jwks.remoteUrl`).
 */
export function createBetterAuth(
  origin: string,
  alg: BetterAuthAlg = 'EdDSA',
  { rotationInterval, hs256Secret }: { rotationInterval?: number; hs256Secret?: string } = {},
) {
  const plugin = hs256Secret
    ? jwt({
        // Better Auth 1.7 requires an alg here (for its OpenID metadata) but its types omit HS256.
        jwks: { remoteUrl: `${origin}/unused-jwks`, keyPairConfig: { alg: 'HS256' as 'EdDSA' } },
        jwt: {
          sign: (payload) =>
            new SignJWT(payload)
              .setProtectedHeader({ alg: 'HS256' })
              .sign(new TextEncoder().encode(hs256Secret)),
        },
      })
    : jwt({ jwks: { keyPairConfig: { alg }, rotationInterval, gracePeriod: 3600 } });
  return betterAuth({
    baseURL: origin,
    secret: randomBytes(32).toString('hex'),
    database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
    emailAndPassword: { enabled: true },
    plugins: [plugin, bearer()],
    logger: { disabled: true },
  });
}
export type BetterAuth = ReturnType<typeof createBetterAuth>;

/**
 * A loopback "auth server": serves a real Better Auth instance (`current`, swappable) and its
 * JWKS at /api/auth/jwks, plus one test-held key (`testKey`) so that hostile or odd tokens can be
 * signed with a key the API trusts. `down = true` makes the JWKS endpoint fail, `silent = true`
 * makes it never answer (until the server closes).
 */
export class AuthServer {
  current!: BetterAuth;
  down = false;
  silent = false;
  /** Leaves the test key out of the JWKS (a key Better Auth withdrew). */
  withdrawTestKey = false;
  jwksRequests = 0;
  private server!: Server;
  private testKey!: { privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; jwk: JWK };
  origin = '';

  /** Starts one on `port` (any free one when 0). */
  static async start(alg: BetterAuthAlg = 'EdDSA', port = 0): Promise<AuthServer> {
    const s = new AuthServer();
    await s.listen(port);
    s.current = createBetterAuth(s.origin, alg);
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    s.testKey = { privateKey, jwk: { ...(await exportJWK(publicKey)), alg: 'EdDSA', kid: 'test-key' } };
    return s;
  }

  private listen(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url === '/api/auth/jwks') {
        this.jwksRequests++;
        if (this.down) return void res.destroy();
        if (this.silent) return;
        void this.jwks().then((jwks) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(jwks));
        });
        return;
      }
      void toNodeHandler(this.current)(req, res);
    });
    return new Promise((resolve) =>
      this.server.listen(port, '127.0.0.1', () => {
        this.origin = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
        resolve();
      }),
    );
  }

  private async jwks(): Promise<{ keys: JWK[] }> {
    const res = await this.current.handler(new Request(`${this.origin}/api/auth/jwks`));
    const { keys } = (await res.json()) as { keys: JWK[] };
    return { keys: this.withdrawTestKey ? keys : [...keys, this.testKey.jwk] };
  }

  /** Signs up a new user on `auth` and returns the user and what Better Auth hands a client. */
  async signUp(auth: BetterAuth = this.current) {
    const email = `u${randomBytes(6).toString('hex')}@example.com`;
    const res = await auth.handler(
      new Request(`${this.origin}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: this.origin },
        body: JSON.stringify({ email, password: 'correct horse battery', name: 'Ada Lovelace' }),
      }),
    );
    if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
    const { user } = (await res.json()) as { user: { id: string; email: string; name: string } };
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    const sessionToken = res.headers.get('set-auth-token')!;
    return { user, cookie, sessionToken, jwt: () => this.tokenFor(cookie, auth) };
  }

  /** GET /api/auth/token with the session cookie: the JWT a Next.js client sends to our API. */
  async tokenFor(cookie: string, auth: BetterAuth = this.current): Promise<string> {
    const res = await auth.handler(new Request(`${this.origin}/api/auth/token`, { headers: { cookie } }));
    return ((await res.json()) as { token: string }).token;
  }

  /** A token signed with the test-held key (trusted through the JWKS), with any claims. */
  signWithTestKey(claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key', ...header })
      .sign(this.testKey.privateKey);
  }

  /** The test key's public bytes (for the "HS256 signed with the public key" attack). */
  get testPublicKeyBytes(): Buffer {
    return Buffer.from(this.testKey.jwk.x!, 'base64url');
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

/** A loopback port where nothing listens (yet): one the system handed out and took back. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
