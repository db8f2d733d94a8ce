import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import {
  BATCH_WEBHOOK_TARGET_LOOKUP,
  DeliveryRepository,
  QueueName,
  REDIS,
  RedisBatchWebhookTargetLookup,
  RedisKeys,
  WebhookKeys,
  WebhookSecretStore,
} from '@dermafleet/jobs';
import type { Redis } from 'ioredis';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { WebhookConsumerService } from './consumer/webhook-consumer.service';
import { DeliverHandler } from './delivery/deliver.handler';
import { DeliveryAttemptService } from './delivery/delivery-attempt.service';
import { DeliveryScheduler } from './delivery/delivery.scheduler';
import { DeliveryLogService } from './delivery-log.service';
import { DispatchHandler } from './dispatch/dispatch.handler';
import { EventSubjectLoader } from './dispatch/event-subject.loader';
import { DestinationGuard, HOST_RESOLVER, type HostResolver, systemResolver } from './ssrf/destination.guard';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhookUrlPipe } from './webhook-url.pipe';

/**
 * Webhooks (CONTRACT.md "Webhooks"): the `webhooks` queue consumer (dispatch + signed, retried
 * delivery), the delivery log endpoints, and the SSRF checks at submission and at delivery.
 */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.Webhooks })],
  controllers: [WebhookDeliveriesController],
  providers: [
    {
      provide: WebhookKeys,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) => new WebhookKeys(config.keyPrefix),
    },
    {
      provide: DeliveryRepository,
      inject: [REDIS, WebhookKeys, API_CONFIG],
      useFactory: (redis: Redis, keys: WebhookKeys, config: ApiConfig) =>
        new DeliveryRepository(redis, keys, config.webhooks.retentionDays * 86400),
    },
    {
      provide: WebhookSecretStore,
      inject: [REDIS, WebhookKeys, API_CONFIG],
      useFactory: (redis: Redis, keys: WebhookKeys, config: ApiConfig) =>
        new WebhookSecretStore(redis, keys, config.webhooks.secrets),
    },
    {
      provide: BATCH_WEBHOOK_TARGET_LOOKUP,
      inject: [REDIS, RedisKeys],
      useFactory: (redis: Redis, keys: RedisKeys) => new RedisBatchWebhookTargetLookup(redis, keys),
    },
    { provide: HOST_RESOLVER, useValue: systemResolver },
    {
      provide: DestinationGuard,
      inject: [HOST_RESOLVER, API_CONFIG],
      useFactory: (resolver: HostResolver, config: ApiConfig) =>
        new DestinationGuard(resolver, config.webhooks.allowPrivate),
    },
    { provide: APP_PIPE, useClass: WebhookUrlPipe },
    DeliveryScheduler,
    DeliveryAttemptService,
    DeliverHandler,
    EventSubjectLoader,
    DispatchHandler,
    DeliveryLogService,
    WebhookConsumerService,
  ],
  exports: [WebhookSecretStore, DeliveryRepository],
})
export class WebhooksModule {}
