import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@dermafleet/jobs';
import { PendingUploadsSweeper } from '../batches/pending-uploads.sweeper';
import { PredictionEventsService } from '../predictions/prediction-events.service';
import { ErasureModule } from '../erasure/erasure.module';
import { QueueModule } from '../queue/queue.module';
import { OutboxRepair } from './outbox-repair';
import { PredictionRepair } from './prediction-repair';
import { ReconcilerService } from './reconciler.service';

/** The leader-elected reconciler of the work index and the outbox (docs/RELIABILITY.md). */
@Module({
  imports: [QueueModule, ErasureModule, BullModule.registerQueue({ name: QueueName.Webhooks })],
  providers: [
    PredictionRepair,
    OutboxRepair,
    ReconcilerService,
    PendingUploadsSweeper,
    PredictionEventsService,
  ],
})
export class ReconcilerModule {}
