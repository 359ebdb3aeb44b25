import { connect } from 'node:net';

/** TEST_REDIS_URL when set (CI), else a Redis on 127.0.0.1:6379 if one answers. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const MISSING_REDIS = `No Redis at ${TEST_REDIS_URL}: skipped the specs across instances (install it: apt-get install -y redis-server, or set TEST_REDIS_URL)`;

/** Whether something accepts connections at TEST_REDIS_URL. */
export function redisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379), timeout: 500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}
