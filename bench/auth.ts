// npm run bench:auth — cost of verifying one bearer token on the guard's real path
// (passport.authenticate with the app's strategies), HS256 vs Better Auth's default EdDSA.
import 'reflect-metadata';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { signHs256 } from '../src/auth/sign-hs256.js';
import passport from 'passport';
import { authSettings } from '../src/auth/auth-settings.js';
import { Hs256Strategy, HS256_STRATEGY } from '../src/auth/hs256.strategy.js';
import { JwksStrategy, JWKS_STRATEGY } from '../src/auth/jwks.strategy.js';
import { JwksKeyStore } from '../src/auth/jwks-key-store.js';

const N = Number(process.env.N ?? 20000);
const ROUNDS = 5;
const SECRET = 'bench-secret-bench-secret-bench-secret!!';

const { privateKey, publicKey } = await generateKeyPair('EdDSA');
const jwk = { ...(await exportJWK(publicKey)), alg: 'EdDSA', kid: 'k1' };
const server = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

const settings = authSettings({
  BETTER_AUTH_SECRET: SECRET,
  BETTER_AUTH_URL: origin,
  JWT_CLOCK_SKEW_S: 30,
  JWT_JWKS_URL: undefined,
  JWT_ISSUER: undefined,
  JWT_AUDIENCE: undefined,
  JWT_JWKS_REFRESH_S: 120,
  JWT_JWKS_MAX_STALE_S: 3600,
});
new Hs256Strategy(settings);
const keys = new JwksKeyStore(settings.jwksUrl!);
new JwksStrategy(settings, keys);
keys.onModuleInit();
await new Promise((r) => setTimeout(r, 300)); // let the JWKS warm-up fetch land before the tight loops

const claims = { sub: 'bench-user', email: 'b@example.com', iss: origin, aud: origin };
const issuedAt = Math.floor(Date.now() / 1000);
const hsToken = signHs256({ ...claims, iat: issuedAt, exp: issuedAt + 3600 }, SECRET);
const edToken = await new SignJWT(claims)
  .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);

function verifyOnce(strategies: string[], token: string): Promise<void> {
  const req = { headers: { authorization: `Bearer ${token}` } };
  return new Promise((resolve, reject) => {
    const middleware = passport.authenticate(strategies, { session: false }, (err: unknown, user: unknown) =>
      err || !user ? reject(new Error('rejected')) : resolve(),
    ) as (req: unknown, res: unknown, next: (err: unknown) => void) => void;
    middleware(req, {}, reject);
  });
}

async function measure(label: string, strategies: string[], token: string) {
  for (let i = 0; i < 2000; i++) await verifyOnce(strategies, token); // warm-up
  const perOp: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await verifyOnce(strategies, token);
    perOp.push(((performance.now() - t0) * 1000) / N);
  }
  perOp.sort((a, b) => a - b);
  const median = perOp[Math.floor(ROUNDS / 2)];
  console.log(
    `${label.padEnd(44)} ${median.toFixed(1).padStart(7)} µs/token  ${Math.round(1e6 / median)
      .toString()
      .padStart(7)} tokens/s`,
  );
  return median;
}

console.log(`Token verification, median of ${ROUNDS} rounds × ${N} (node ${process.version})`);
const hs = await measure('HS256 (passport-jwt)', [HS256_STRATEGY], hsToken);
const ed = await measure('EdDSA (jose, cached JWKS)', [JWKS_STRATEGY], edToken);
const guard = await measure(
  'EdDSA through the guard (HS256 tried first)',
  [HS256_STRATEGY, JWKS_STRATEGY],
  edToken,
);
console.log(`EdDSA / HS256: ${(ed / hs).toFixed(2)}×; guard path / HS256: ${(guard / hs).toFixed(2)}×`);
server.close();
