import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { nextCookies } from 'better-auth/next-js';
import { jwt } from 'better-auth/plugins';
import { Pool } from 'pg';

/** Better Auth's own tables live in this schema of the API's PostgreSQL (never beside the tasks). */
const schema = process.env.AUTH_DB_SCHEMA ?? 'auth';
if (!/^[a-z_][a-z0-9_]*$/.test(schema))
  throw new Error(`AUTH_DB_SCHEMA must be a plain identifier, not "${schema}"`);

/** Set by server.mjs, which resolves each request's client address before Next.js sees it. */
const CLIENT_ADDRESS_SET = Symbol.for('tasks-web.client-address');

/**
 * The Better Auth server: email + password sign-up and sign-in, and the `jwt` plugin, which signs
 * the API's Bearer tokens (EdDSA, 15 minutes, `iss` = `aud` = BETTER_AUTH_URL) and publishes its
 * public keys at /api/auth/jwks, where the Tasks API fetches them (its BETTER_AUTH_URL).
 * Made on first use, not at import: `next build` imports the route without any of the settings.
 */
function createAuth() {
  // server.mjs has made X-Forwarded-For the client's address (TRUST_PROXY's rules); under plain
  // `next start` it is whatever the client sent, and Better Auth's per-address limits would count nothing.
  if (process.env.NODE_ENV === 'production' && !(globalThis as Record<symbol, unknown>)[CLIENT_ADDRESS_SET])
    throw new Error('Start the web app with `node server.mjs` (npm start), not `next start`: see server.mjs');
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    options: `-c search_path=${schema}`,
    max: 5,
  });
  const auth = betterAuth({
    baseURL: process.env.BETTER_AUTH_URL,
    secret: process.env.BETTER_AUTH_SECRET,
    database: pool,
    emailAndPassword: { enabled: true, minPasswordLength: 8, autoSignIn: true },
    plugins: [jwt(), nextCookies()],
    // The one address server.mjs leaves there (never a client's own header: see server.mjs).
    advanced: { ipAddress: { ipAddressHeaders: ['x-forwarded-for'] } },
  });
  return { auth, pool };
}

let instance: ReturnType<typeof createAuth> | undefined;
export const getAuth = () => (instance ??= createAuth()).auth;

/** Creates the schema and Better Auth's tables (user, session, account, verification, jwks) if missing. */
export async function migrateAuthTables(): Promise<void> {
  const { auth, pool } = (instance ??= createAuth());
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
}
