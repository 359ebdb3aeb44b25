/** Runs once when the Next.js server starts: Better Auth's tables must exist before the first sign-up. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { migrateAuthTables } = await import('./lib/auth');
  await migrateAuthTables();
}
