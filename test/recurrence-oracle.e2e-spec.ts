import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { firstAfter, occurrencesBetween, type Series } from '../src/recurrence/recurrence.js';
import { whenInstalled } from './helpers/installed.js';
import { type Answer, type Case, cases, WINDOW_START, ZONES } from './helpers/recurrence-cases.js';

/**
 * The recurrence engine against an independent implementation: python-dateutil's `rrule` with the
 * standard library's `zoneinfo` (Debian's python3-dateutil; .ci/run installs it). RULES random rules
 * of the contract's subset, each in every one of ZONES, with DTSTART between 2020 and 2034 (local
 * hours biased towards 00:00–03:59, where the daylight-saving changes are): the first
 * OCCURRENCES occurrences before 2036 and the first occurrence after a random instant must be the
 * same instants. Deterministic: the seed is printed (RECURRENCE_ORACLE_SEED=… repeats a run).
 *
 * The zones: half-hour and 45-minute offsets (Kolkata, Kathmandu, Adelaide, St John's, Tehran,
 * Chatham, Lord Howe with its 30-minute DST), southern-hemisphere DST (Sydney, Adelaide, Auckland,
 * Santiago, Lord Howe, Chatham), a gap at midnight (Havana), none at all (Phoenix, Tokyo, Kolkata).
 * Zones whose rules changed in recent tzdata releases (Mexico, Greenland, Egypt, Kazakhstan,
 * Paraguay, Chile's Aysén...) are left out: Node's ICU data and the system's tzdata that zoneinfo
 * reads may be different releases, and the test compares the arithmetic, not the data.
 */
const RULES = Number(process.env.RECURRENCE_ORACLE_RULES ?? 10_000);
const OCCURRENCES = 6;
const SEED = Number(process.env.RECURRENCE_ORACLE_SEED ?? 20_261_206);
const BATCHES = 2;

const PYTHON = ['/usr/bin/python3', 'python3'].find(
  (bin) => spawnSync(bin, ['-c', 'import dateutil.rrule, zoneinfo'], { stdio: 'ignore' }).status === 0,
);
const MISSING_PYTHON =
  'python3 with dateutil is not installed: skipped the recurrence oracle spec (install it: apt-get install -y python3-dateutil)';

function oracle(python: string, batch: Case[]): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(import.meta.dirname, 'helpers', 'rrule-oracle.py')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the oracle exited ${code}: ${Buffer.concat(err).toString()}`));
      resolve(JSON.parse(Buffer.concat(out).toString()) as Answer[]);
    });
    child.stdin.end(JSON.stringify(batch));
  });
}

function ours(c: Case): Answer {
  const series: Series = { rule: c.rule, start: new Date(c.start_ms), timeZone: c.zone };
  return {
    occurrences: occurrencesBetween(series, new Date(WINDOW_START), new Date(c.end_ms), c.n).map((d) =>
      d.getTime(),
    ),
    after_probe: firstAfter(series, new Date(c.probe_ms))?.getTime() ?? null,
  };
}

const show = (t: number | null) => (t === null ? 'none' : new Date(t).toISOString());

whenInstalled(PYTHON, MISSING_PYTHON, () => {
  it(`agrees with python-dateutil on ${RULES} random rules × ${ZONES.length} zones, 2020–2035`, async () => {
    const all = cases(SEED, RULES, OCCURRENCES);
    console.log(
      `recurrence oracle: seed ${SEED}, ${RULES} rules × ${ZONES.length} zones = ${all.length} series, ` +
        `first ${OCCURRENCES} occurrences before 2036 and one probe each (${PYTHON}, Node tz ${process.versions.tz})`,
    );
    const size = Math.ceil(all.length / BATCHES);
    const batches = Array.from({ length: BATCHES }, (_, i) => all.slice(i * size, (i + 1) * size));
    // Python works on its batches while this process computes ours.
    const began = performance.now();
    const theirs = Promise.all(batches.map((batch) => oracle(PYTHON!, batch))).then((answers) => {
      pythonMs = performance.now() - began;
      return answers.flat();
    });
    let pythonMs = 0;
    const mine = all.map(ours);
    const oursMs = performance.now() - began;
    const expected = await theirs;

    const mismatches: string[] = [];
    all.forEach((c, i) => {
      const [a, b] = [mine[i], expected[i]];
      if (JSON.stringify(a) === JSON.stringify(b)) return;
      mismatches.push(
        `${c.rule} from ${show(c.start_ms)} in ${c.zone}:\n  ours   ${a.occurrences.map(show).join(' ')} | after ${show(c.probe_ms)}: ${show(a.after_probe)}\n  python ${b.occurrences.map(show).join(' ')} | after ${show(c.probe_ms)}: ${show(b.after_probe)}`,
      );
    });
    const compared = expected.reduce((sum, e) => sum + e.occurrences.length + 1, 0);
    console.log(
      `recurrence oracle: ${compared} instants compared, ${mismatches.length} mismatches ` +
        `(ours ${(oursMs / 1000).toFixed(1)} s, python ${(pythonMs / 1000).toFixed(1)} s in ${BATCHES} processes)`,
    );
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(mismatches).toHaveLength(0);
  }, 600_000);
});
