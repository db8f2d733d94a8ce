import { DynamicModule, Global, Logger, Module, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { readBatchManifest } from '../batches/batch-manifest';
import { EVENT_SINK, type EventSink } from '../events/domain-events';
import { PredictionRepository } from '../prediction.repository';
import { Outbox } from '../reliability/outbox';
import { OutboxRelay, RESULT_COPY_WRITER, type ResultCopyWriter } from '../reliability/outbox.relay';
import { RedisKeys } from '../redis-keys';
import { REDIS } from './redis.tokens';

/**
 * The outbox relay for apps that change prediction state (API and workers). The app provides
 * how to write a result's S3 copy (RESULT_COPY_WRITER, on its ObjectStore); EVENT_SINK comes
 * from EventsModule and Outbox from JobsCoreModule.
 */
@Global()
@Module({})
export class OutboxModule {
  static forRoot(copyWriter: Provider<ResultCopyWriter>): DynamicModule {
    const logger = new Logger('Outbox');
    return {
      module: OutboxModule,
      providers: [
        copyWriter,
        {
          provide: OutboxRelay,
          inject: [Outbox, PredictionRepository, RESULT_COPY_WRITER, EVENT_SINK, REDIS, RedisKeys],
          useFactory: (
            outbox: Outbox,
            predictions: PredictionRepository,
            copies: ResultCopyWriter,
            events: EventSink,
            redis: Redis,
            keys: RedisKeys,
          ) =>
            new OutboxRelay(
              outbox,
              predictions,
              copies,
              (id) => readBatchManifest(redis, keys, id),
              events,
              (member, err) =>
                // Not lost: the entry stays in the outbox and the reconciler relays it when due.
                logger.warn(`Deferred to the reconciler: ${member} (${err.message})`),
            ),
        },
      ],
      exports: [OutboxRelay, RESULT_COPY_WRITER],
    };
  }
}
