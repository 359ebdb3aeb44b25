import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import {
  blockedFolder,
  freePort,
  postgresOsUser,
  type OsUser,
  oneLine,
} from '../../src/development/embedded-postgres.js';

/**
 * Throw-away PostgreSQL clusters from Debian's server binaries (/usr/lib/postgresql/<version>/bin),
 * for e2e specs that need what the shared test database cannot give: TLS with a certificate of the
 * test's own, a streaming replica (optionally lagging). Each cluster lives in its own temporary
 * folder (data, log, Unix socket), listens on 127.0.0.1 on a free port, with trust authentication.
 * As root, every binary runs as the OS user `postgres`, which owns the cluster's folder.
 */

const POSTGRES_ROOT = '/usr/lib/postgresql';

function newestBinDir(): string | undefined {
  let versions: string[];
  try {
    versions = readdirSync(POSTGRES_ROOT);
  } catch {
    return undefined;
  }
  return versions
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(POSTGRES_ROOT, version, 'bin'))
    .find((dir) => existsSync(join(dir, 'initdb')));
}

/** The newest Debian PostgreSQL bin folder with initdb, or undefined when not installed. */
export const postgresBinDir: string | undefined = newestBinDir();

/** One line telling what a spec skipped and how to install it, when postgresBinDir is undefined. */
export const MISSING_POSTGRES_BINARIES =
  `No PostgreSQL server binaries in ${POSTGRES_ROOT}/<version>/bin: the TLS and replica tests are skipped ` +
  '(install them: apt-get install postgresql, or postgresql-<version> from apt.postgresql.org)';

const DB_USER = 'postgres';
const RUN_TIMEOUT_MS = 120_000;

export interface Certificates {
  /** PEM of the CA that signed the server certificate */
  caFile: string;
  /** PEM of an unrelated CA (for "verify-full with another CA refuses") */
  otherCaFile: string;
  /** CN and subjectAltName: DNS:localhost, IP:127.0.0.1 */
  serverCertFile: string;
  serverKeyFile: string;
}

export interface Cluster {
  readonly port: number;
  readonly dataDir: string;
  /** postgresql://postgres@127.0.0.1:<port>/<database> (trust auth for host 127.0.0.1 and local) */
  url(database?: string): string;
  /** Runs SQL through a short-lived pg.Client (over the Unix socket: no TLS needed) on `database`; returns the rows. */
  query<T = Record<string, unknown>>(sql: string, values?: unknown[], database?: string): Promise<T[]>;
  /** Fast shutdown; idempotent. */
  stop(): Promise<void>;
  /** Starts again after stop(), on the same port. */
  start(): Promise<void>;
  /** stop() and remove every file it made */
  destroy(): Promise<void>;
}

export interface ClusterOptions {
  /** TLS on (ssl = on, the given server cert/key); connections without TLS still allowed too unless `tlsOnly` */
  tls?: Certificates;
  tlsOnly?: boolean;
  /** extra postgresql.conf settings */
  settings?: Record<string, string | number>;
  /** Make this cluster a streaming replica of `primary` (pg_basebackup -R -X stream from it), hot_standby on */
  replicaOf?: Cluster;
  /** recovery_min_apply_delay on a replica, ms */
  applyDelayMs?: number;
}

/** The environment of the binaries: no PG* variables of the caller's (PGHOST, PGSSLMODE, ...), English messages. */
function binaryEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('PG')) env[name] = value;
  return { ...env, HOME: home, LC_MESSAGES: 'C' };
}

/** Runs `command` (as `user` when set) and resolves with its output; rejects with it in one line. */
function run(command: string, args: string[], user: OsUser | undefined, cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      ...user,
      cwd,
      env: binaryEnv(cwd),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: RUN_TIMEOUT_MS,
    });
    let output = '';
    const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (err) => fail(new Error(`could not run ${command}: ${err.message}`)));
    child.once('close', (code, signal) =>
      code === 0
        ? done(output)
        : fail(
            new Error(
              `${command} ${args[0] ?? ''} failed (${signal ?? `exit code ${code}`}): ${oneLine(output)}`,
            ),
          ),
    );
  });
}

function binary(name: string): string {
  if (!postgresBinDir) throw new Error(MISSING_POSTGRES_BINARIES);
  return join(postgresBinDir, name);
}

/** A folder for throw-away files that `user` (the `postgres` OS user, as root) can enter: os.tmpdir() or /var/tmp. */
async function reachableTempBase(user: OsUser | undefined): Promise<string> {
  if (!user) return tmpdir();
  for (const base of [tmpdir(), '/var/tmp', '/tmp'])
    if (existsSync(base) && !(await blockedFolder(base, user))) return base;
  throw new Error(`the OS user "postgres" can enter neither ${tmpdir()} nor /var/tmp nor /tmp`);
}

/** A value for postgresql.conf. */
function confValue(value: string | number): string {
  return typeof value === 'number' ? String(value) : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------------------------------------------
// Certificates

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = localhost
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
`;

/**
 * A CA, a server certificate it signs (CN and subjectAltName localhost and 127.0.0.1, valid 2 days),
 * and an unrelated CA, made with the `openssl` CLI in `dir` (created when missing). P-256 keys: fast.
 * The certificates are readable by all, the server key by the `postgres` OS user (its owner, as root).
 */
export async function makeCertificates(dir: string): Promise<Certificates> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, undefined, dir);
  await writeFile(file('openssl.cnf'), OPENSSL_CONFIG);
  const key = (name: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  const selfSignedCa = (keyName: string, certName: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      '-new',
      '-config',
      file('openssl.cnf'),
      '-extensions',
      'ca_ext',
      '-key',
      file(keyName),
      '-subj',
      `/CN=${cn}`,
      '-days',
      '2',
      '-out',
      file(certName),
    );

  await Promise.all([key('ca.key'), key('other-ca.key'), key('server.key')]);
  await Promise.all([
    selfSignedCa('ca.key', 'ca.crt', 'pg-cluster test CA'),
    selfSignedCa('other-ca.key', 'other-ca.crt', 'pg-cluster unrelated CA'),
    openssl(
      'req',
      '-new',
      '-config',
      file('openssl.cnf'),
      '-key',
      file('server.key'),
      '-subj',
      '/CN=localhost',
      '-out',
      file('server.csr'),
    ),
  ]);
  await openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '2',
    '-extfile',
    file('openssl.cnf'),
    '-extensions',
    'server_ext',
    '-out',
    file('server.crt'),
  );
  for (const name of ['ca.crt', 'other-ca.crt', 'server.crt']) await chmod(file(name), 0o644);
  // PostgreSQL wants its key private: 0600 and owned by the user it runs as.
  await chmod(file('server.key'), 0o600);
  const user = await postgresOsUser();
  if (user) await chown(file('server.key'), user.uid, user.gid);
  return {
    caFile: file('ca.crt'),
    otherCaFile: file('other-ca.crt'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
  };
}

// ---------------------------------------------------------------------------------------------------
// Clusters

/** Every cluster started and not yet destroyed, oldest first. */
const clusters = new Set<PgCluster>();

/** Destroys every cluster this process started (newest first: replicas before their primaries). */
export async function destroyClusters(): Promise<void> {
  for (const cluster of [...clusters].reverse()) await cluster.destroy();
}

class PgCluster implements Cluster {
  private running = false;
  private destroyed = false;
  private watchdog?: ChildProcess;

  constructor(
    /** The cluster's own folder: data/, server.log, the Unix socket. */
    private readonly home: string,
    public port: number,
    private readonly user: OsUser | undefined,
  ) {}

  get dataDir(): string {
    return join(this.home, 'data');
  }
  get logFile(): string {
    return join(this.home, 'server.log');
  }

  url(database = 'postgres'): string {
    return `postgresql://${DB_USER}@127.0.0.1:${this.port}/${database}`;
  }

  async query<T = Record<string, unknown>>(
    sql: string,
    values?: unknown[],
    database = 'postgres',
  ): Promise<T[]> {
    const client = new pg.Client({ host: this.home, port: this.port, user: DB_USER, database });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, values)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async start(): Promise<void> {
    if (this.destroyed) throw new Error(`the cluster on port ${this.port} was destroyed`);
    if (this.running) return;
    this.guardProcessExit();
    try {
      await run(
        binary('pg_ctl'),
        ['start', '-D', this.dataDir, '-w', '-t', '60', '-l', this.logFile],
        this.user,
        this.home,
      );
    } catch (err) {
      const log = await readFile(this.logFile, 'utf8').catch(() => '');
      const tail = oneLine(log.split('\n').slice(-12).join('\n')) || 'empty';
      throw new Error(
        `PostgreSQL (${this.dataDir}, port ${this.port}) did not start: ${(err as Error).message}; server log: ${tail}`,
        { cause: err },
      );
    }
    this.running = true;
  }

  async stop(): Promise<void> {
    if (!this.running && !existsSync(join(this.dataDir, 'postmaster.pid'))) return;
    try {
      await run(
        binary('pg_ctl'),
        ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60'],
        this.user,
        this.home,
      );
    } catch (err) {
      if (existsSync(join(this.dataDir, 'postmaster.pid'))) throw err; // else it was not running (any more)
    }
    this.running = false;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await this.stop();
    this.destroyed = true;
    clusters.delete(this);
    this.watchdog?.kill('SIGKILL');
    this.watchdog = undefined;
    await rm(this.home, { recursive: true, force: true });
  }

  /**
   * Stops the server and removes its folder when this process ends without destroy(), however it
   * ends: a detached shell (as the cluster's OS user) waits for the end of a pipe from this process.
   * (A process.on('exit') handler would not do: in a jest test file, `process` is a sandboxed copy
   * whose 'exit' listeners never run.)
   */
  private guardProcessExit(): void {
    if (this.watchdog) return;
    const script = 'while read -r _; do :; done; "$0" stop -D "$1" -m immediate >/dev/null 2>&1; rm -rf "$2"';
    const watchdog = spawn('sh', ['-c', script, binary('pg_ctl'), this.dataDir, this.home], {
      ...this.user,
      cwd: '/',
      env: binaryEnv('/'),
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.on('error', () => undefined);
    watchdog.unref();
    (watchdog.stdin as Socket).unref();
    this.watchdog = watchdog;
  }

  /** The cluster's settings (postgresql.conf includes pg-cluster.conf last) and pg_hba.conf. */
  async configure(options: ClusterOptions): Promise<void> {
    const settings: Record<string, string | number> = {
      listen_addresses: '127.0.0.1',
      port: this.port,
      unix_socket_directories: this.home,
      fsync: 'off',
      wal_level: 'replica',
      max_wal_senders: 10,
      max_replication_slots: 10,
      hot_standby: 'on',
      ssl: options.tls ? 'on' : 'off',
      ssl_cert_file: 'server.crt',
      ssl_key_file: 'server.key',
      recovery_min_apply_delay: `${options.applyDelayMs ?? 0}ms`,
      ...options.settings,
    };
    const lines = Object.entries(settings).map(([name, value]) => {
      if (!/^[a-z_][a-z0-9_.]*$/i.test(name)) throw new Error(`not a setting name: ${name}`);
      return `${name} = ${confValue(value)}`;
    });
    await this.writeOwn('pg-cluster.conf', `# written by test/helpers/pg-cluster.ts\n${lines.join('\n')}\n`);

    const conf = await readFile(join(this.dataDir, 'postgresql.conf'), 'utf8');
    const include = "include = 'pg-cluster.conf'";
    if (!conf.includes(include)) await this.writeOwn('postgresql.conf', `${conf}\n${include}\n`);

    const host = options.tlsOnly ? 'hostssl' : 'host';
    await this.writeOwn(
      'pg_hba.conf',
      [
        '# written by test/helpers/pg-cluster.ts',
        'local all all trust',
        'local replication all trust',
        `${host} all all 127.0.0.1/32 trust`,
        `${host} replication all 127.0.0.1/32 trust`,
        '',
      ].join('\n'),
    );

    if (options.tls) {
      await copyFile(options.tls.serverCertFile, join(this.dataDir, 'server.crt'));
      await copyFile(options.tls.serverKeyFile, join(this.dataDir, 'server.key'));
      await this.own('server.crt', 0o644);
      await this.own('server.key', 0o600);
    }
  }

  /** Writes a file in the data folder, owned by the cluster's OS user, 0600. */
  private async writeOwn(name: string, content: string): Promise<void> {
    await writeFile(join(this.dataDir, name), content);
    await this.own(name, 0o600);
  }

  private async own(name: string, mode: number): Promise<void> {
    const path = join(this.dataDir, name);
    await chmod(path, mode);
    if (this.user) await chown(path, this.user.uid, this.user.gid);
  }
}

/**
 * Starts a throw-away cluster: a primary (initdb), or with `replicaOf` a streaming replica of another
 * (pg_basebackup -R -X stream). Registered for destroyClusters(); stopped and removed when the process
 * ends anyway. Failures throw one Error with the tail of the server log.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const user = await postgresOsUser();
  const home = await mkdtemp(join(await reachableTempBase(user), 'pg-cluster-'));
  await chmod(home, 0o755);
  if (user) await chown(home, user.uid, user.gid);
  const dataDir = join(home, 'data');
  let cluster: PgCluster | undefined;
  try {
    if (options.replicaOf) {
      const primary = options.replicaOf;
      await run(
        binary('pg_basebackup'),
        [
          '-D',
          dataDir,
          '-d',
          `host=127.0.0.1 port=${primary.port} user=${DB_USER}`,
          '-R',
          '-X',
          'stream',
          '-c',
          'fast',
          '--no-sync',
        ],
        user,
        home,
      );
    } else {
      await run(
        binary('initdb'),
        ['-D', dataDir, '--auth=trust', '-U', DB_USER, '--no-sync', '-E', 'UTF8', '--locale=C'],
        user,
        home,
      );
    }
    cluster = new PgCluster(home, 0, user);
    for (let attempt = 1; ; attempt++) {
      cluster.port = await freePort();
      await cluster.configure(options);
      try {
        await cluster.start();
        clusters.add(cluster);
        return cluster;
      } catch (err) {
        // The free port was taken in between: try another.
        if (attempt >= 3 || !/could not (bind|create listen)/i.test((err as Error).message)) throw err;
      }
    }
  } catch (err) {
    await cluster?.destroy().catch(() => undefined);
    await rm(home, { recursive: true, force: true });
    throw err;
  }
}
