import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@dermafleet/jobs';
import { InferenceQueueService } from './inference-queue.service';

@Module({
  imports: [BullModule.registerQueue({ name: QueueName.Inference })],
  providers: [InferenceQueueService],
  exports: [InferenceQueueService],
})
export class QueueModule {}
