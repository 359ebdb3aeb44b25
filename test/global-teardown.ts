/** Stops what the global setup started: PgBouncer, then the embedded PostgreSQL even if that failed. */
export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as {
    __embeddedPg?: { stop(): Promise<void> };
    __pgbouncer?: { destroy(): Promise<void> };
  };
  const { __pgbouncer: pooler, __embeddedPg: embedded } = globals;
  globals.__pgbouncer = undefined;
  globals.__embeddedPg = undefined;
  try {
    await pooler?.destroy();
  } finally {
    await embedded?.stop();
  }
}
