import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import {
  AuditRepository,
  ErasureRepository,
  JOBS_SETTINGS,
  type JobsSettings,
  QueueName,
  REDIS,
  RedisKeys,
} from '@dermafleet/jobs';
import type { Redis } from 'ioredis';
import { ErasureController } from './erasure.controller';
import { ErasureRelay } from './erasure.relay';
import { ErasureService } from './erasure.service';
import { ExpiredBatchErasure } from './expired-batch-erasure';
import { EventStreamScrubber } from './event-stream.scrubber';
import { ImageHoldService } from './image-hold.service';
import { ImageRefBackfill } from './image-ref.backfill';

/** Erasure, its audit log, and the image holds intakes take (README "Erasure and audit"). */
@Module({
  imports: [
    BullModule.registerQueue(
      { name: QueueName.Inference },
      { name: QueueName.Preprocess },
      { name: QueueName.Webhooks },
    ),
  ],
  controllers: [ErasureController],
  providers: [
    {
      provide: ErasureRepository,
      inject: [REDIS, RedisKeys, JOBS_SETTINGS],
      useFactory: (redis: Redis, keys: RedisKeys, settings: JobsSettings) =>
        new ErasureRepository(redis, keys, settings.reliability.reconcileAfterMs),
    },
    {
      provide: AuditRepository,
      inject: [REDIS, RedisKeys],
      useFactory: (redis: Redis, keys: RedisKeys) => new AuditRepository(redis, keys),
    },
    ErasureRelay,
    ErasureService,
    ExpiredBatchErasure,
    EventStreamScrubber,
    ImageHoldService,
    ImageRefBackfill,
  ],
  exports: [ErasureRelay, ErasureService, ExpiredBatchErasure, ImageHoldService],
})
export class ErasureModule {}
