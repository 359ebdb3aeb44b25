import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  blockedFolder,
  packagedBinaries,
  passwordFileOf,
  placeDataDir,
  postgresOsUser,
  runnableBinaries,
  startEmbeddedPostgres,
} from '../src/development/embedded-postgres.js';

// An OS user that owns nothing here: only the "other" permission bits apply to it.
const stranger = { uid: 54_321, gid: 54_321 };
const asRoot = process.getuid?.() === 0 ? it : it.skip;

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'embedded-pg-spec-'));
  await chmod(scratch, 0o755);
});
afterEach(() => rm(scratch, { recursive: true, force: true }));

/** `scratch/<name>` with `mode`; a 0700 one is what `mktemp -d` or /root is to the `postgres` user. */
async function folder(name: string, mode: number): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  await chmod(dir, mode);
  return dir;
}

describe('blockedFolder', () => {
  it('names the first folder from / down that the user may not enter', async () => {
    const closed = await folder('closed', 0o700);
    await mkdir(join(closed, 'inner'));
    expect(await blockedFolder(join(closed, 'inner'), stranger)).toBe(closed);
    await chmod(closed, 0o711); // search permission alone is enough
    expect(await blockedFolder(join(closed, 'inner'), stranger)).toBeUndefined();
  });

  it("uses the owner's bits for the owner", async () => {
    const own = await folder('own', 0o700);
    const { uid, gid } = statSync(own);
    expect(await blockedFolder(own, { uid, gid })).toBeUndefined();
  });
});

describe('placeDataDir', () => {
  it("keeps the asked-for folder for this process's own user (not root)", async () => {
    const asked = join(await folder('closed', 0o700), '.data', 'postgres');
    expect(await placeDataDir(asked, undefined)).toEqual({ dir: asked });
    expect(existsSync(join(scratch, 'closed', '.data'))).toBe(false);
  });

  it('keeps the asked-for folder when the user can reach it', async () => {
    const asked = join(await folder('open', 0o755), '.data', 'postgres');
    expect(await placeDataDir(asked, stranger, join(scratch, 'lib'))).toEqual({ dir: asked });
  });

  it('moves data the user cannot reach to a stable folder it can, and links the asked-for path to it', async () => {
    const project = await folder('closed/app', 0o755);
    await chmod(join(scratch, 'closed'), 0o700);
    const asked = join(project, '.data', 'postgres');
    const lib = join(scratch, 'lib');

    const first = await placeDataDir(asked, stranger, lib);
    expect(first.dir).toMatch(new RegExp(`^${lib}/postgres-[0-9a-f]{16}$`));
    expect(first.note).toContain(`cannot enter ${join(scratch, 'closed')}`);
    expect(lstatSync(asked).isSymbolicLink()).toBe(true);
    expect(readlinkSync(asked)).toBe(first.dir);
    expect(statSync(lib).mode & 0o777).toBe(0o755);

    await mkdir(first.dir); // the server's data, as initdb makes it
    const again = await placeDataDir(asked, stranger, lib);
    expect(again.dir).toBe(first.dir);
    expect(again.note).toContain('links to it');
  });

  it('replaces an empty folder left by a run that could not start the server there', async () => {
    const closed = await folder('closed', 0o700);
    const asked = join(closed, 'postgres');
    await mkdir(asked);
    const placed = await placeDataDir(asked, stranger, join(scratch, 'lib'));
    expect(readlinkSync(asked)).toBe(placed.dir);
  });

  it('refuses, in one line, to hide existing data the user cannot reach', async () => {
    const closed = await folder('closed', 0o700);
    const asked = join(closed, 'postgres');
    await mkdir(asked);
    await writeFile(join(asked, 'PG_VERSION'), '18\n');
    const error = await placeDataDir(asked, stranger, join(scratch, 'lib')).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('holds PostgreSQL data');
    expect((error as Error).message).toContain('DATABASE_URL');
    expect((error as Error).message).not.toContain('\n');
    expect(existsSync(join(asked, 'PG_VERSION'))).toBe(true);
  });
});

describe('its password', () => {
  /** Whether `password` logs in as `postgres` to the server at `url`. */
  const logsIn = async (url: string, password: string) => {
    const { hostname: host, port } = new URL(url);
    const client = new pg.Client({
      host,
      port: Number(port),
      user: 'postgres',
      password,
      database: 'postgres',
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return true;
    } catch (err) {
      if ((err as { code?: string }).code !== '28P01') throw err;
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const passwordOf = (url: string) => decodeURIComponent(new URL(url).password);

  it('is random per data folder, kept 0600 beside it, and a folder made with the old fixed one is moved to its own', async () => {
    const project = await folder('project', 0o755);
    const asked = join(project, '.data', 'postgres');
    const file = passwordFileOf(asked);
    expect(file).toBe(join(project, '.data', 'postgres.password'));

    const first = await startEmbeddedPostgres(asked, 'spec');
    let firstPassword: string;
    try {
      firstPassword = passwordOf(first.url);
      expect(firstPassword).toMatch(/^[0-9a-f]{48}$/);
      expect(readFileSync(file, 'utf8').trim()).toBe(firstPassword);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(await logsIn(first.url, 'postgres')).toBe(false);
      // As a data folder made before this change was: the fixed password, nothing kept beside it.
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query(`CREATE TABLE kept AS SELECT 42 AS n; ALTER ROLE postgres PASSWORD 'postgres'`);
      await client.end();
    } finally {
      await first.stop();
    }
    await rm(file);

    const second = await startEmbeddedPostgres(asked, 'spec');
    try {
      const secondPassword = passwordOf(second.url);
      expect(secondPassword).toMatch(/^[0-9a-f]{48}$/);
      expect(secondPassword).not.toBe(firstPassword);
      expect(readFileSync(file, 'utf8').trim()).toBe(secondPassword);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(await logsIn(second.url, 'postgres')).toBe(false);
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      expect((await client.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
      await client.end();
    } finally {
      await second.stop();
    }

    // A password file that is not the folder's: one line saying what to do, nothing left running.
    const kept = readFileSync(file, 'utf8');
    await writeFile(file, 'not-this-folders-password\n');
    const refused = await startEmbeddedPostgres(asked, 'spec').catch((err: Error) => err);
    expect((refused as Error).message).toMatch(
      /refuses the password in .*postgres\.password.*set DATABASE_URL$/,
    );
    expect(existsSync(join(asked, 'postmaster.pid'))).toBe(false);
    await writeFile(file, kept);

    // Another folder, another password.
    const other = await startEmbeddedPostgres(join(project, 'other'), 'spec', { persistent: false });
    try {
      expect(passwordOf(other.url)).not.toBe(readFileSync(file, 'utf8').trim());
    } finally {
      await other.stop();
    }
    expect(existsSync(passwordFileOf(join(project, 'other')))).toBe(false);
  }, 120_000);
});

describe('as root', () => {
  asRoot('copies the binaries once per version where the postgres user can run them', async () => {
    const user = (await postgresOsUser())!;
    const real = await packagedBinaries();
    // The package as it is in a clone under a 0700 folder: hard links, so no copying here either.
    const closed = await folder('closed', 0o700);
    execFileSync('cp', ['-al', join(real.postgres, '..', '..'), join(closed, 'native')]);
    const packaged = {
      ...real,
      version: 'spec',
      initdb: join(closed, 'native', 'bin', 'initdb'),
      postgres: join(closed, 'native', 'bin', 'postgres'),
    };
    const cache = await folder('cache', 0o755);

    const copy = await runnableBinaries(packaged, user, cache);
    expect(copy.postgres.startsWith(`${cache}/embedded-postgres/`)).toBe(true);
    expect(copy.postgres).toContain('-spec/bin/postgres');
    const version = spawnSync(copy.postgres, ['--version'], { ...user, encoding: 'utf8' });
    expect(version.stdout).toContain('PostgreSQL');
    expect(statSync(copy.postgres).nlink).toBeGreaterThan(1); // linked, not copied (same filesystem)
    expect(await runnableBinaries(packaged, user, cache)).toEqual(copy); // reused

    // Reachable binaries are used where they are.
    const open = { ...real, postgres: copy.postgres, initdb: copy.initdb };
    expect(await runnableBinaries(open, user, join(scratch, 'unused'))).toBe(open);
    expect(existsSync(join(scratch, 'unused'))).toBe(false);
  });

  asRoot(
    'serves data from a 0700 project folder, kept between runs',
    async () => {
      await folder('closed/app', 0o755);
      await chmod(join(scratch, 'closed'), 0o700);
      const asked = join(scratch, 'closed', 'app', '.data', 'postgres');
      const options = { rootDataDir: join(scratch, 'lib'), rootCacheDir: join(scratch, 'cache') };
      const query = async (url: string, sql: string) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          return (await client.query<{ n: number }>(sql)).rows;
        } finally {
          await client.end();
        }
      };

      const first = await startEmbeddedPostgres(asked, 'spec', options);
      try {
        expect(first.dataDir.startsWith(`${scratch}/lib/postgres-`)).toBe(true);
        expect(first.note).toContain('cannot enter');
        expect(readlinkSync(asked)).toBe(first.dataDir);
        expect(existsSync(join(asked, 'postmaster.pid'))).toBe(true); // through the link
        await query(first.url, 'CREATE TABLE kept AS SELECT 42 AS n');
      } finally {
        await first.stop();
      }
      expect(existsSync(join(asked, 'postmaster.pid'))).toBe(false);

      const second = await startEmbeddedPostgres(asked, 'spec', options);
      try {
        expect(second.dataDir).toBe(first.dataDir);
        expect(await query(second.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
      } finally {
        await second.stop();
      }
    },
    60_000,
  );
});
