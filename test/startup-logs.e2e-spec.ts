import { finished } from 'node:stream/promises';
import { freePort } from '../src/development/embedded-postgres.js';
import { runServerProcessToExit, startServerProcess, stopServerProcesses } from './helpers/server-process.js';

// In production every line the process writes is one pino JSON line, also before the app's
// logger is ready: Nest's own messages while the modules initialise and a failed start.
afterAll(stopServerProcesses);

interface LogLine {
  level: number;
  time: number;
  msg: string;
  context?: string;
  err?: { message: string; stack: string };
  [key: string]: unknown;
}

/** The lines of `text` that are not one JSON log line without ANSI escapes (expected: none). */
function badLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      if (line.includes('\u001b')) return true;
      try {
        const parsed = JSON.parse(line) as Partial<LogLine> | null;
        return (
          typeof parsed?.level !== 'number' ||
          typeof parsed.time !== 'number' ||
          typeof parsed.msg !== 'string'
        );
      } catch {
        return true;
      }
    });
}

const parse = (text: string): LogLine[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);

describe('start-up logs in production', () => {
  it('with the database unreachable: JSON lines only, naming the database, and exit 1', async () => {
    // Nothing listens on a port that was just free: the connection is refused at once.
    const { code, stdout, stderr } = await runServerProcessToExit({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${await freePort()}/tasks`,
      DB_CONNECT_TIMEOUT_MS: '500',
    });
    const output = `--- stdout\n${stdout}\n--- stderr\n${stderr}`;
    expect({ code, output }).toMatchObject({ code: 1 });
    expect({ stdout: badLines(stdout), stderr: badLines(stderr) }).toEqual({ stdout: [], stderr: [] });

    const lines = [...parse(stdout), ...parse(stderr)];
    // Nest's own retries, through the app's logger, with the stack inside the line.
    const retry = lines.find(
      (l) => l.context === 'TypeOrmModule' && /unable to connect to the database/i.test(l.msg),
    );
    expect(retry).toMatchObject({ level: 50, err: { stack: expect.stringContaining('ECONNREFUSED') } });
    // The last word: one fatal line on stderr.
    const last = parse(stderr).at(-1);
    expect(last).toMatchObject({
      level: 60,
      context: 'Bootstrap',
      msg: expect.stringMatching(/^Failed to start: .*ECONNREFUSED/),
    });
  });

  it('with an invalid configuration: one JSON line naming each bad variable, and exit 1', async () => {
    const { code, stdout, stderr } = await runServerProcessToExit({ PORT: 'eighty', DB_POOL_MAX: '0' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(badLines(stderr)).toEqual([]);
    const lines = parse(stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 60, msg: expect.stringMatching(/^Invalid configuration: /) });
    for (const name of ['PORT', 'DB_POOL_MAX']) expect(lines[0].msg).toContain(name);
  });

  it('with a good start and stop: JSON lines only', async () => {
    const server = await startServerProcess();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await Promise.all([finished(server.child.stdout), finished(server.child.stderr)]);
    expect(badLines(server.output())).toEqual([]);
    expect(parse(server.output()).map((l) => l.msg)).toEqual(
      expect.arrayContaining(['Starting Nest application...', expect.stringMatching(/^Tasks API ready in /)]),
    );
  });
});
