import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@dermafleet/jobs';

/**
 * The queues Bull Board shows: every queue of the catalogue (BullModule closes them at shutdown).
 * Imported only when ADMIN_API_KEY is set; see mountBullBoard.
 */
@Module({
  imports: [BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name })))],
})
export class AdminModule {}
