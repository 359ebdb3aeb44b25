// The recurrence engine's cost for GET /api/tasks/{id}/occurrences: one year of a daily rule
// (occurrencesBetween, 365 occurrences) in a few zones, p50 and p95. No server, no database.
//   cold: every sample a series the process has not seen (its own DTSTART): the rule is expanded
//         from scratch, as for a task's first request;
//   warm: the same series again (its wall-clock expansion is cached, see src/recurrence/expansion.ts).
// Knobs: N (samples per zone and case, default 200).
import { occurrencesBetween, type Series } from '../src/recurrence/recurrence.js';

const N = Number(process.env.N ?? 200);
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'];
const FROM = new Date(Date.UTC(2027, 0, 1));
const TO = new Date(Date.UTC(2028, 0, 1));
const DAY = 86_400_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function measure(series: (i: number) => Series): { p50: number; p95: number } {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const s = series(i);
    const t = performance.now();
    const found = occurrencesBetween(s, FROM, TO, 1000);
    times.push(performance.now() - t);
    if (found.length !== 365) throw new Error(`${s.timeZone}: ${found.length} occurrences, not 365`);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

// Warm-up (JIT), not measured.
measure((i) => ({
  rule: 'FREQ=DAILY',
  start: new Date(Date.UTC(2025, 0, 1, 9) + i * 60_000),
  timeZone: 'UTC',
}));

console.log(`one year of FREQ=DAILY (365 occurrences), ${N} samples per row, Node ${process.version}`);
console.log('zone                 cold p50   cold p95   warm p50   warm p95  (ms)');
for (const zone of ZONES) {
  // Starts at 09:00-ish local in 2026, a minute apart per sample: a new series each time.
  const cold = measure((i) => ({
    rule: 'FREQ=DAILY',
    start: new Date(Date.UTC(2026, 2, 1, 8) + (i % 50) * DAY + Math.floor(i / 50) * 60_000 + 7),
    timeZone: zone,
  }));
  const same: Series = { rule: 'FREQ=DAILY', start: new Date(Date.UTC(2026, 2, 1, 8)), timeZone: zone };
  const warm = measure(() => same);
  const f = (ms: number) => ms.toFixed(2).padStart(9);
  console.log(`${zone.padEnd(20)}${f(cold.p50)}  ${f(cold.p95)}  ${f(warm.p50)}  ${f(warm.p95)}`);
}
