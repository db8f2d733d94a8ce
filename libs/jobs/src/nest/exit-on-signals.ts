import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';

/**
 * SIGTERM/SIGINT: close the app in order (stop taking work, drain, close queues, then Redis) and
 * exit 0. Nest's own enableShutdownHooks() re-raises the signal after closing, so the process
 * would end "killed by SIGTERM" instead of exiting 0 as orchestrators and our contract expect.
 */
export function exitOnSignals(app: INestApplicationContext, name: string): void {
  const logger = new Logger(name);
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      logger.log(`${signal}: shutting down gracefully`);
      app.close().then(
        () => process.exit(0),
        (err: Error) => {
          logger.error(`Shutdown failed: ${err.stack ?? err.message}`);
          process.exit(1);
        },
      );
    });
  }
}
