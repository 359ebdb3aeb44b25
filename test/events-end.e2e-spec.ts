import { useTestApp } from './helpers/app.js';
import { AuthServer } from './helpers/auth-server.js';
import { SseClient } from './helpers/sse.js';
import { newUser, seconds, tokenFor } from './helpers/tokens.js';

// Contract (Operations): event streams end when their token expires (test/events.e2e-spec.ts), when
// its key leaves the JWKS or the JWKS goes stale, and after EVENTS_MAX_STREAM_S; the client then
// reconnects with a fresh token. The stream's last line is a comment naming why.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lastLine = (client: SseClient) => client.events.at(-1);
const endedFor = (reason: string) => ({ event: 'comment', data: `end ${reason}` });

describe('EVENTS_MAX_STREAM_S=1', () => {
  const t = useTestApp({ EVENTS_MAX_STREAM_S: '1', JWT_CLOCK_SKEW_S: '0' });
  let url = '';
  beforeAll(async () => {
    await t.app.listen(0, '127.0.0.1');
    url = `${await t.app.getUrl()}/api/tasks/events`;
  });

  it('ends every stream after it, also one whose HS256 token is valid for a year', async () => {
    const user = newUser();
    const token = tokenFor(user, { exp: seconds() + 365 * 86_400 });
    const started = Date.now();
    const client = await SseClient.open(url, user, { Authorization: `Bearer ${token}` });
    expect(client.status).toBe(200);
    await client.until((c) => c.ended, 3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(lastLine(client)).toEqual(endedFor('max-duration'));
    // Its slot is given back: the client reconnects at once.
    const again = await SseClient.open(url, user, { Authorization: `Bearer ${token}` });
    expect(again.status).toBe(200);
    again.close();
  });
});

describe('streams of JWKS tokens (JWT_JWKS_REFRESH_S=1, JWT_JWKS_MAX_STALE_S=2)', () => {
  let auth: AuthServer;
  beforeAll(async () => {
    auth = await AuthServer.start('EdDSA');
  });
  afterAll(() => auth.close());
  const t = useTestApp(() => ({
    BETTER_AUTH_URL: auth.origin,
    JWT_JWKS_REFRESH_S: '1',
    JWT_JWKS_MAX_STALE_S: '2',
  }));
  let url = '';
  beforeAll(async () => {
    await t.app.listen(0, '127.0.0.1');
    url = `${await t.app.getUrl()}/api/tasks/events`;
  });
  const open: SseClient[] = [];
  afterEach(() => {
    open.splice(0).forEach((c) => c.close());
    auth.down = false;
    auth.withdrawTestKey = false;
  });
  const claims = (sub: string) => ({ sub, iss: auth.origin, aud: auth.origin, exp: seconds() + 900 });
  /** A stream of a new user, with a token of the JWKS's test key or (`hs256`) of the shared secret. */
  const stream = async (kind: 'jwks' | 'hs256') => {
    const user = newUser();
    const token = kind === 'jwks' ? await auth.signWithTestKey(claims(user)) : tokenFor(user, claims(user));
    const client = await SseClient.open(url, user, { Authorization: `Bearer ${token}` });
    open.push(client);
    expect(client.status).toBe(200);
    return { client, token, user };
  };

  it("ends a stream once a refresh shows its token's key gone from the JWKS, and only those", async () => {
    const jwks = await stream('jwks');
    const hs = await stream('hs256');
    await sleep(1500); // refreshes with the key still there change nothing
    expect(jwks.client.ended).toBe(false);
    auth.withdrawTestKey = true;
    const withdrawn = Date.now();
    await jwks.client.until((c) => c.ended, 3000);
    expect(Date.now() - withdrawn).toBeLessThan(2500); // within a refresh
    expect(lastLine(jwks.client)).toEqual(endedFor('key-withdrawn'));
    // Reconnecting with that token fails; the shared secret's stream goes on.
    const again = await SseClient.open(url, jwks.user, { Authorization: `Bearer ${jwks.token}` });
    expect(again.status).toBe(401);
    expect(hs.client.ended).toBe(false);
  });

  it('ends a stream once the JWKS has been unreachable for JWT_JWKS_MAX_STALE_S', async () => {
    await sleep(1500); // a refresh brings the test key back
    const jwks = await stream('jwks');
    const hs = await stream('hs256');
    auth.down = true;
    const down = Date.now();
    await jwks.client.until((c) => c.ended, 4000);
    expect(Date.now() - down).toBeLessThan(3500); // 2 s after the last good fetch, which came before
    expect(lastLine(jwks.client)).toEqual(endedFor('keys-stale'));
    // Reconnecting is 503 (retry), not 401, until the JWKS answers again.
    const again = await SseClient.open(url, jwks.user, { Authorization: `Bearer ${jwks.token}` });
    expect(again.status).toBe(503);
    expect(hs.client.ended).toBe(false);
  });
});
