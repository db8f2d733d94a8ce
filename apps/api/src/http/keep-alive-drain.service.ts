import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';

/**
 * At shutdown, closes each keep-alive connection as soon as its last response is out. Node's
 * server.close() closes the connections idle at that instant only; one still answering (an
 * upload, a held ?wait= request) would otherwise stay open for the whole keep-alive timeout
 * (65 s, see server-timeouts.ts) and hold SIGTERM up that long. Requests in flight still finish.
 */
@Injectable()
export class KeepAliveDrainService implements BeforeApplicationShutdown {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  beforeApplicationShutdown(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    const timer = setInterval(() => server.closeIdleConnections(), 100);
    timer.unref();
    server.once('close', () => clearInterval(timer));
  }
}
