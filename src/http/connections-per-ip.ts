import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { clientKey } from './client-address.js';

/** Refusals are logged at most this often. */
const LOG_EVERY_MS = 60_000;

/**
 * At most `max` open connections per client address (clientKey: an IPv4 address, an IPv6 /64), so
 * that one address cannot hold all of HTTP_MAX_CONNECTIONS. It is decided when the connection
 * arrives, before a byte of it is read, so the address is the socket's peer: a peer that
 * `isProxy` (TRUST_PROXY names it: with a hop count, every peer) carries many clients and is not
 * counted; the per-IP rate limits still count its clients one by one. One more is closed at once,
 * as HTTP_MAX_CONNECTIONS closes them. `max` 0: no cap.
 */
export function limitConnectionsPerIp(
  server: Server,
  max: number,
  isProxy: (address: string) => boolean,
): void {
  if (max === 0) return;
  const logger = new Logger('ConnectionsPerIp');
  const open = new Map<string, number>();
  let loggedAt = 0;
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || isProxy(address)) return;
    const key = clientKey(address);
    const count = (open.get(key) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      if (Date.now() - loggedAt >= LOG_EVERY_MS) {
        loggedAt = Date.now();
        logger.warn(
          `Refused a connection from ${key}: it holds HTTP_MAX_CONNECTIONS_PER_IP (${max}) already`,
        );
      }
      return;
    }
    open.set(key, count);
    socket.once('close', () => {
      const left = open.get(key)! - 1;
      if (left === 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
