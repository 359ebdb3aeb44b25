export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as {
    __embeddedPg?: { stop(): Promise<void> };
    __pgbouncer?: { destroy(): Promise<void> };
  };
  await globals.__pgbouncer?.destroy();
  await globals.__embeddedPg?.stop();
}
