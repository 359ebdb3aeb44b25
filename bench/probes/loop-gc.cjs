// A preload for a server under load: every second, one line on stderr (`PROBE {...}`) with the
// event loop's delay (p50, p99, max, ms), GC pauses by kind ([count, total ms, longest ms]), heap
// used and RSS (MiB). `BENCH_NODE_ARGS="--require ./bench/probes/loop-gc.cjs" npm run bench`, or in
// the shared harness `NEST_CMD="node --require $PWD/bench/probes/loop-gc.cjs dist/main.js"`.
'use strict';
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');
const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
let gc = {};
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) {
    const k = e.detail?.kind ?? e.kind;
    const n = { 1: 'minor', 2: 'major', 4: 'incr', 8: 'weak' }[k] || k;
    const g = (gc[n] ||= { n: 0, ms: 0, max: 0 });
    g.n++;
    g.ms += e.duration;
    g.max = Math.max(g.max, e.duration);
  }
}).observe({ entryTypes: ['gc'] });
setInterval(() => {
  const m = process.memoryUsage();
  process.stderr.write(
    'PROBE ' +
      JSON.stringify({
        t: Date.now(),
        eld_p50: +(h.percentile(50) / 1e6).toFixed(1),
        eld_p99: +(h.percentile(99) / 1e6).toFixed(1),
        eld_max: +(h.max / 1e6).toFixed(1),
        gc: Object.fromEntries(
          Object.entries(gc).map(([k, v]) => [k, [v.n, +v.ms.toFixed(1), +v.max.toFixed(1)]]),
        ),
        heap: +(m.heapUsed / 1048576).toFixed(0),
        rss: +(m.rss / 1048576).toFixed(0),
      }) +
      '\n',
  );
  h.reset();
  gc = {};
}, 1000).unref();
