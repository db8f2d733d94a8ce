import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Queue } from 'bullmq';
import { EVENT_SINK } from '../events/domain-events';
import { QueueEventSink } from '../events/queue-event.sink';
import type { ReliabilitySettings } from '../config/reliability.env';
import { QueueName } from '../queues';
import { RedisKeys } from '../redis-keys';
import { closeQueue } from './queue-close';
import { logQueueErrors } from './queue-error-listeners';
import { failFastRedisOptions } from './redis.tokens';

const EVENTS_QUEUE = Symbol('EVENTS_QUEUE');

@Injectable()
class EventsQueueLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EVENTS_QUEUE) private readonly queue: Queue) {}
  async onApplicationShutdown(): Promise<void> {
    await closeQueue(this.queue, new Logger('EventsQueue'));
  }
}

/** Provides EVENT_SINK: domain events onto the `webhooks` queue. */
@Global()
@Module({})
export class EventsModule {
  static forRoot(settings: {
    redisUrl: string;
    keyPrefix: string;
    reliability: ReliabilitySettings;
  }): DynamicModule {
    return {
      module: EventsModule,
      providers: [
        {
          provide: EVENTS_QUEUE,
          useFactory: () =>
            logQueueErrors(
              new Queue(QueueName.Webhooks, {
                connection: { url: settings.redisUrl, ...failFastRedisOptions(settings.reliability) },
                prefix: new RedisKeys(settings.keyPrefix).bullPrefix,
              }),
              new Logger('EventsQueue'),
            ),
        },
        {
          provide: EVENT_SINK,
          inject: [EVENTS_QUEUE],
          useFactory: (queue: Queue) => new QueueEventSink(queue),
        },
        EventsQueueLifecycle,
      ],
      exports: [EVENT_SINK],
    };
  }
}
