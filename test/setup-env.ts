// The environment of every e2e test file, set before the app's modules are imported. A test file
// that needs other settings passes them to useTestApp / createTestApp (test/helpers/app.ts).
export const TEST_SECRET = 'e2e-test-secret-that-is-at-least-32-bytes-long';
/**
 * One VAPID key pair (Web Push) for every app of the run, made for these tests only: the apps share
 * the database, so any of them may send any spec's push deliveries, and a push service in a spec
 * checks the signature against this key whichever app sent it.
 */
export const TEST_VAPID = {
  publicKey: 'BJRAgecnXpHQPR3ibEqazlhOB0B-11ItrQ0vO5-5RR0d57j2vkDABzMsaRyxvk8Cu9Dq-6AMj8wVb4AaeKql558',
  privateKey: '1CBUqPXssT93q1vCm5HdZuEn1YUN9rkq7LieClsIwmg',
  subject: 'mailto:push-test@example.com',
};

for (const name of [
  'NEON_DATABASE_URL',
  'BETTER_AUTH_URL',
  'JWT_JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'REDIS_URL',
  'DB_POOL_MODE',
  'DATABASE_DIRECT_URL',
  'DATABASE_READ_URLS',
]) {
  delete process.env[name];
}
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.BETTER_AUTH_SECRET = TEST_SECRET;
process.env.VAPID_PUBLIC_KEY = TEST_VAPID.publicKey;
process.env.VAPID_PRIVATE_KEY = TEST_VAPID.privateKey;
process.env.VAPID_SUBJECT = TEST_VAPID.subject;
process.env.DATABASE_URL = process.env.E2E_DATABASE_URL;
// Through PgBouncer (TEST_POOLER=pgbouncer, see global-setup.ts): what Neon's pooled endpoint needs.
if (process.env.E2E_DB_POOL_MODE) process.env.DB_POOL_MODE = process.env.E2E_DB_POOL_MODE;
process.env.DB_POOL_MAX = '4';
// Webhook and push receivers in tests listen on 127.0.0.1 (http:); every app of the run may send
// any spec's deliveries (they share the database), so all of them allow it. The address rule itself is
// test/delivery-address.e2e-spec.ts's, on a database of its own.
process.env.NOTIFY_ALLOW_PRIVATE = 'true';
// And retry quickly, whichever of them recorded the failed attempt (a spec's own timing is its ENV's).
process.env.DELIVERY_RETRY_BASE_MS = '300';
// Limits on, but out of reach; test/rate-limit.e2e-spec.ts sets small ones.
process.env.RATE_LIMIT_USER_PER_MINUTE = '1000000';
process.env.RATE_LIMIT_IP_PER_MINUTE = '1000000';
