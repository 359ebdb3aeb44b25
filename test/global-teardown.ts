import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __embeddedPg?: { stop(): Promise<void>; dataDir: string } }).__embeddedPg;
  if (!db) return;
  await db.stop();
  await rm(db.dataDir.replace(/\/data$/, ''), { recursive: true, force: true });
}
