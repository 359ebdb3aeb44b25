import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/** What a reaper ends: a process, or the process whose id a pid file names when the time comes. */
export type Reaped = { pid: number } | { pidFile: string };

/**
 * Ends `target` with SIGKILL and removes `paths` when this process ends, however it ends (a test or a
 * hook that failed or timed out, a jest worker that was killed, Ctrl-C), unless the returned function
 * was called first (the test stopped it itself). A detached shell waits for the end of a pipe from
 * this process: the kernel closes it whatever happens. (A process.on('exit') handler would not do:
 * in a jest test file, `process` is a sandboxed copy whose 'exit' listeners never run.)
 */
export function reapWhenThisProcessEnds(target: Reaped, paths: string[] = []): () => void {
  const pid = 'pid' in target ? `echo ${target.pid}` : 'cat "$1" 2>/dev/null';
  const script = `while read -r _; do :; done; p=$(${pid}); [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; shift; [ $# -gt 0 ] && rm -rf "$@"; :`;
  const reaper = spawn('sh', ['-c', script, 'reaper', 'pidFile' in target ? target.pidFile : '', ...paths], {
    cwd: '/',
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  reaper.on('error', () => undefined);
  reaper.unref();
  (reaper.stdin as Socket).unref();
  return () => void reaper.kill('SIGKILL');
}
