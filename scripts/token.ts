// npm run token -- --sub alice [--email a@x.io] [--name "Alice"] [--ttl 1h] [--with-configured-secret]
// Prints an HS256 token signed with the development secret that `npm start` generates, for Swagger's
// "Authorize" button and curl. Only with --with-configured-secret does it sign with BETTER_AUTH_SECRET
// (the environment or .env): a token every server holding that secret accepts, which may be more than
// this machine's. Never with NODE_ENV=production.
import { parseArgs } from 'node:util';
import { signHs256 } from '../src/auth/sign-hs256.js';
import { loadDotEnv } from '../src/config/dotenv.js';
import { devAuthSecret } from '../src/development/dev-environment.js';

const TTL = /^(\d+)(s|m|h|d)?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n`);
  process.exit(1);
}

loadDotEnv();
if (process.env.NODE_ENV === 'production') fail('refusing to mint tokens with NODE_ENV=production');

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    ttl: { type: 'string', default: '1h' },
    'with-configured-secret': { type: 'boolean', default: false },
  },
});
if (!values.sub?.trim())
  fail(
    'usage: npm run token -- --sub <user-id> [--email e] [--name n] [--ttl 1h] [--with-configured-secret]',
  );
const ttl = TTL.exec(values.ttl ?? '');
if (!ttl) fail(`--ttl must look like 900, 15m, 1h or 7d (got ${values.ttl})`);
const seconds = Number(ttl[1]) * UNIT_SECONDS[(ttl[2] ?? 's') as keyof typeof UNIT_SECONDS];

const configured = process.env.BETTER_AUTH_SECRET;
if (values['with-configured-secret'] && !configured)
  fail('--with-configured-secret: BETTER_AUTH_SECRET is not set');
if (configured && !values['with-configured-secret']) {
  process.stderr.write(
    'token: BETTER_AUTH_SECRET is set, and this signs with the development secret all the same; ' +
      'to sign with BETTER_AUTH_SECRET (accepted by every server that holds it), add --with-configured-secret\n',
  );
}
const secret = values['with-configured-secret'] && configured ? configured : devAuthSecret();
const now = Math.floor(Date.now() / 1000);
const token = signHs256(
  {
    sub: values.sub,
    ...(values.email ? { email: values.email } : {}),
    ...(values.name ? { name: values.name } : {}),
    iat: now,
    exp: now + seconds,
    ...(process.env.JWT_ISSUER ? { iss: process.env.JWT_ISSUER } : {}),
    ...(process.env.JWT_AUDIENCE ? { aud: process.env.JWT_AUDIENCE } : {}),
  },
  secret,
);
process.stdout.write(`${token}\n`);
