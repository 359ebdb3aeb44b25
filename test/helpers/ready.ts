import type { ChildProcess } from 'node:child_process';

/**
 * Polls `<url>/health/ready` until it answers 200; fails when `child` exits first or after
 * `timeoutMs`, with what `output()` says. (The e2e process tests and the benchmarks.)
 */
export async function waitForReady(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${output()}`);
    if (Date.now() > deadline) throw new Error(`server not ready in ${timeoutMs / 1000} s:\n${output()}`);
    const ready = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
