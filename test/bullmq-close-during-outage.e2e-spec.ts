import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Closing a BullMQ Worker or Queue while Redis does not answer (a SIGTERM during an outage, or a
 * test that cut Redis) must not end the process: BullMQ 5.61 emitted the connections' late
 * "Connection is closed" with no listener left, which crashed whole test runs in CI. Fixed by the
 * backport in patches/bullmq+5.61.0.patch (BullMQ 6.7's own fix).
 */
describe('BullMQ closed during a Redis outage', () => {
  let server: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // A Redis that stops answering right after the handshake: each connection gets its ready
    // check answered (ioredis is then 'ready'), but BullMQ's own INFO (its version check, the
    // last step of its initialisation) never is, so the connections are still initialising
    // when they are closed, and that pending INFO then fails with "Connection is closed".
    server = createServer((socket) => {
      sockets.push(socket);
      let infos = 0;
      socket.on('data', (chunk) => {
        for (const command of chunk.toString('latin1').split('*').slice(1)) {
          if (/\r\ninfo\r\n/i.test(command) && infos++ === 0) {
            const body = 'redis_version:7.2.0\r\nloading:0\r\n';
            socket.write(`$${body.length}\r\n${body}\r\n`);
          } else if (!/\r\ninfo\r\n/i.test(command)) socket.write('+OK\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('closes, and the process lives on and exits 0', async () => {
    const port = (server.address() as { port: number }).port;
    const script = join(__dirname, 'worker-support', 'close-during-outage.ts');
    const { stdout } = await promisify(execFile)(process.execPath, [
      '-r',
      require.resolve('tsx/cjs'),
      script,
      String(port),
    ]);
    expect(stdout.trim()).toBe('closed');
  }, 60_000);
});
