import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the app and PostgreSQL that a test can break:
 * `refuse()` drops every connection and refuses new ones; `blackhole()` keeps connections open
 * but stops passing bytes (a silent partition); `restore()` heals either.
 */
export class TcpProxy {
  private server!: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private mode: 'up' | 'refuse' | 'blackhole' = 'up';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<this> {
    this.server = createServer((client) => {
      if (this.mode === 'refuse') return void client.destroy();
      const upstream = connect(this.targetPort, this.targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const forward = (from: Socket, to: Socket) =>
        from.on('data', (chunk) => {
          if (this.mode === 'blackhole') {
            from.pause();
            const resume = setInterval(() => {
              if (this.mode === 'up') {
                clearInterval(resume);
                to.write(chunk);
                from.resume();
              }
            }, 20);
            return;
          }
          to.write(chunk);
        });
      forward(client, upstream);
      forward(upstream, client);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  refuse(): void {
    this.mode = 'refuse';
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  blackhole(): void {
    this.mode = 'blackhole';
  }

  restore(): void {
    this.mode = 'up';
  }

  close(): Promise<void> {
    this.refuse();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
