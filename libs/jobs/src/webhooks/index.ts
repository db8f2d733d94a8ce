export * from './webhook-event.types';
export * from './webhook.keys';
export * from './webhook-id';
export * from './delivery-cursor';
export * from './delivery.repository';
export * from './webhook-secrets.env';
export * from './webhook-secret.store';
export * from './batch-webhook-target.lookup';
