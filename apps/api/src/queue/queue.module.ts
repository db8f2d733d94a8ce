import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@dermafleet/jobs';
import { BacklogReader } from './backlog.guard';
import { InferenceQueueService } from './inference-queue.service';
import { QueueBacklogController } from './queue-backlog.controller';
import { QueueBacklogService } from './queue-backlog.service';
import { QueueMetrics } from './queue.metrics';

@Module({
  // Both queues: PIPELINE (api.config.ts) decides at run time which one new predictions go to.
  imports: [BullModule.registerQueue({ name: QueueName.Inference }, { name: QueueName.Preprocess })],
  controllers: [QueueBacklogController],
  providers: [InferenceQueueService, QueueMetrics, QueueBacklogService, BacklogReader],
  exports: [InferenceQueueService, BacklogReader],
})
export class QueueModule {}
