import { Injectable } from '@nestjs/common';

/**
 * Whether the process is stopping (SIGTERM/SIGINT received). While it is, readiness is 503 so
 * load balancers stop sending traffic, and every response says `Connection: close` so
 * keep-alive clients move to another instance.
 */
@Injectable()
export class ShutdownState {
  stopping = false;
}
