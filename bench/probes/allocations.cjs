// A preload that samples every allocation (V8's sampling heap profiler, including the objects minor
// and major GCs collected, which --heap-prof leaves out), from ALLOC_DELAY_MS (8000) after start
// until SIGTERM, then writes ALLOC_PROFILE (/tmp/alloc.heapprofile; open it in Chrome DevTools'
// Memory tab). `BENCH_NODE_ARGS="--require ./bench/probes/allocations.cjs" npm run bench`.
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const s = new inspector.Session();
s.connect();
s.post('HeapProfiler.enable');
setTimeout(
  () => {
    s.post(
      'HeapProfiler.startSampling',
      {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      },
      (e) => {
        if (e) console.error('SAMPLING', e);
        else console.error('SAMPLING started');
      },
    );
  },
  Number(process.env.ALLOC_DELAY_MS || 8000),
).unref();
process.on('SIGTERM', () => {
  s.post('HeapProfiler.stopSampling', (e, r) => {
    if (!e)
      fs.writeFileSync(process.env.ALLOC_PROFILE || '/tmp/alloc.heapprofile', JSON.stringify(r.profile));
    console.error('SAMPLING saved', e);
    process.exit(0);
  });
});
