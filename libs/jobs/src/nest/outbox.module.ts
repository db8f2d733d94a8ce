import { DynamicModule, Global, Logger, Module, type Provider } from '@nestjs/common';
import { EVENT_SINK, type EventSink } from '../events/domain-events';
import { PredictionRepository } from '../prediction.repository';
import { Outbox } from '../reliability/outbox';
import { OutboxRelay, RESULT_COPY_WRITER, type ResultCopyWriter } from '../reliability/outbox.relay';

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
          inject: [Outbox, PredictionRepository, RESULT_COPY_WRITER, EVENT_SINK],
          useFactory: (
            outbox: Outbox,
            predictions: PredictionRepository,
            copies: ResultCopyWriter,
            events: EventSink,
          ) =>
            new OutboxRelay(outbox, predictions, copies, events, (member, err) =>
              // Not lost: the entry stays in the outbox and the reconciler relays it when due.
              logger.warn(`Deferred to the reconciler: ${member} (${err.message})`),
            ),
        },
      ],
      exports: [OutboxRelay],
    };
  }
}
