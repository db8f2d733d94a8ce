import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { QueueName } from '@dermafleet/jobs';
import type { Queue } from 'bullmq';
import { adminKeyMiddleware } from './admin-key.middleware';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board (operators' queue dashboard) at /admin/queues for every queue, behind the admin key.
 * Mounted as Express middleware before Nest's routes; without ADMIN_API_KEY it is never mounted,
 * so the path answers 404 like any unknown one.
 */
export function mountBullBoard(app: INestApplication, adminKey: string): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  const queues = Object.values(QueueName).map(
    (name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name), { strict: false })),
  );
  createBullBoard({ queues, serverAdapter, options: { uiConfig: { boardTitle: 'dermafleet queues' } } });
  app.use(BULL_BOARD_PATH, adminKeyMiddleware(adminKey), serverAdapter.getRouter());
}
