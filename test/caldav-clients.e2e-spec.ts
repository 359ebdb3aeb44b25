import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { as, useTestApp } from './helpers/app.js';
import { appPassword } from './helpers/dav.js';
import { whenInstalled } from './helpers/installed.js';
import { newUser } from './helpers/tokens.js';

/**
 * The CalDAV endpoint driven by clients nobody here wrote (issue #32 item 2), over real HTTP to the
 * real app: Python's `caldav` library (Debian's python3-caldav) through test/helpers/caldav-client.py,
 * and vdirsyncer syncing a collection to a local folder both ways. .ci/run installs both; elsewhere
 * each part says in one line what it skipped.
 */
const PYTHON = '/usr/bin/python3';
const HAS_CALDAV =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import caldav'], { stdio: 'ignore' }).status === 0;
const MISSING_CALDAV =
  'python3-caldav is not installed: skipped the python caldav client spec (install it: apt-get install -y python3-caldav)';
const VDIRSYNCER = ['/usr/bin/vdirsyncer', '/usr/local/bin/vdirsyncer'].find((p) => existsSync(p));
const MISSING_VDIRSYNCER =
  'vdirsyncer is not installed: skipped the vdirsyncer spec (install it: apt-get install -y vdirsyncer)';

const t = useTestApp();
let base = '';
beforeAll(async () => {
  await t.app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
});

/** Runs `bin` with `args`, `input` on its stdin; its stdout, or an error with its stderr. */
function command(bin: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Killed after 45 s at most: nothing a test starts outlives it.
    const child = spawn(bin, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LANG: 'C.UTF-8' },
      timeout: 45_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString())
        : reject(new Error(`${bin} ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString()}`)),
    );
    child.stdin.end(input);
  });
}

/** Runs the python client with `input` as its JSON stdin; its JSON answer. */
const python = async (input: Record<string, unknown>): Promise<Record<string, unknown>> =>
  JSON.parse(
    await command(PYTHON, [join(import.meta.dirname, 'helpers', 'caldav-client.py')], JSON.stringify(input)),
  ) as Record<string, unknown>;

async function account(listName: string) {
  const user = newUser();
  const api = as(t.app, user);
  const password = await appPassword(t.app, user);
  const list = (await api.post('/api/lists').send({ name: listName }).expect(201)).body as ListDto;
  return { user, api, password, list };
}

describe('python3-caldav', () => {
  whenInstalled(HAS_CALDAV, MISSING_CALDAV, () => {
    it('discovers, creates, edits, completes, deletes, syncs after a REST write, and gets 412 on a stale If-Match', async () => {
      const { user, api, password, list } = await account('Python');
      const cfg = { url: `${base}/dav/`, user, password, list: 'Python' };
      const main = await python({ ...cfg, step: 'main' });
      expect(main.principal).toBe(`${base}/dav/principal/`);
      expect(main.calendars).toEqual(['Inbox', 'Python']);
      expect(main.pending).toEqual(['Edited by python']);
      expect(main.all).toEqual(['Edited by python', 'To be completed']);
      expect(main.after_delete).toEqual(['Edited by python', 'To be completed']);
      expect(main.stale_status).toBe(412);
      // The client's own property survived the round trips; the API holds the mapped fields.
      expect(main.edited_data).toContain('X-PY-PROP:mine');
      const tasks = (await api.get(`/api/tasks?list_id=${list.id}&sort=title`).expect(200)).body as Task[];
      expect(tasks.map((x) => [x.title, x.completed, x.priority])).toEqual([
        ['Edited by python', false, 'high'],
        ['To be completed', true, 'low'],
      ]);
      expect((main.synced as string[]).length).toBe(2);

      // A REST write shows in the next sync-collection.
      const edited = tasks[0];
      await api.patch(`/api/tasks/${edited.id}`).send({ title: 'Changed on the web' }).expect(200);
      const sync = await python({ ...cfg, step: 'sync', token: main.token });
      const changed = sync.changed as { url: string; data: string }[];
      expect(changed.length).toBe(1);
      expect(changed[0].data).toContain('SUMMARY:Changed on the web');
      expect(changed[0].data).toContain('X-PY-PROP:mine');
    }, 60_000);
  });
});

describe('vdirsyncer', () => {
  whenInstalled(VDIRSYNCER, MISSING_VDIRSYNCER, () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'vdirsyncer-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('syncs a collection to a local folder and back', async () => {
      const { user, api, password, list } = await account('Synced folder');
      await api
        .post('/api/tasks')
        .send({ title: 'From the web', list_id: list.id, tags: ['home'] })
        .expect(201);
      const config = join(dir, 'config');
      await writeFile(
        config,
        [
          '[general]',
          `status_path = "${join(dir, 'status')}/"`,
          '[pair tasks]',
          'a = "local"',
          'b = "remote"',
          `collections = ["${list.id}"]`,
          '[storage local]',
          'type = "filesystem"',
          `path = "${join(dir, 'local')}/"`,
          'fileext = ".ics"',
          '[storage remote]',
          'type = "caldav"',
          `url = "${base}/dav/"`,
          `username = "${user}"`,
          `password = "${password}"`,
          'item_types = ["VTODO"]',
          '',
        ].join('\n'),
      );
      const run = (...args: string[]) => command(VDIRSYNCER!, ['-c', config, ...args], 'y\n'.repeat(4));
      // discover asks whether to make the local folder of the collection: yes.
      await run('discover', 'tasks');
      await run('sync');
      const folder = join(dir, 'local', list.id);
      const files = await readdir(folder);
      expect(files.length).toBe(1);
      const local = await readFile(join(folder, files[0]), 'utf8');
      expect(local).toContain('SUMMARY:From the web');
      expect(local).toContain('CATEGORIES:home');

      // Both ways: a new file and an edited one go up.
      await writeFile(
        join(folder, files[0]),
        local.replace('SUMMARY:From the web', 'SUMMARY:Edited in the folder'),
      );
      await writeFile(
        join(folder, 'from-folder.ics'),
        [
          'BEGIN:VCALENDAR',
          'VERSION:2.0',
          'PRODID:-//vdirsyncer spec//EN',
          'BEGIN:VTODO',
          'UID:from-folder',
          'DTSTAMP:20261206T120000Z',
          'SUMMARY:Made in the folder',
          'END:VTODO',
          'END:VCALENDAR',
          '',
        ].join('\r\n'),
      );
      await run('sync');
      const tasks = (await api.get(`/api/tasks?list_id=${list.id}&sort=title`).expect(200)).body as Task[];
      expect(tasks.map((x) => x.title)).toEqual(['Edited in the folder', 'Made in the folder']);
    }, 60_000);
  });
});
