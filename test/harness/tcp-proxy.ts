import { createServer, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  url: string;
  /** Drops every connection and refuses new ones: the target looks down to the client. */
  cut(): Promise<void>;
  /** Cuts, then accepts connections again but never answers (a host that hangs, not one that is down). */
  blackhole(): Promise<void>;
  /** Listens again on the same port: the client reconnects (and can then close cleanly). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP relay to Redis on a free port, so a test can take "Redis" away from one app without
 * stopping the Redis every other test shares.
 */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let stopped = false;
  let silent = false;
  const server = createServer((client) => {
    // A client reconnecting while the proxy stops is turned away, not kept open.
    if (stopped) return void client.destroy();
    if (silent) {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => client.destroy());
      return void client.resume(); // read and drop whatever it sends
    }
    const upstream = new Socket();
    upstream.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number, answering = true) =>
    new Promise<void>((resolve, reject) => {
      stopped = false;
      silent = !answering;
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const stop = async () => {
    stopped = true;
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const blackhole = async () => {
    await stop();
    await listen(port, false);
  };
  return { url: `redis://127.0.0.1:${port}`, cut: stop, blackhole, restore: () => listen(port), close: stop };
}
