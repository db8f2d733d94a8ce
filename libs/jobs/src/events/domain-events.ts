/**
 * State changes that clients hear about (webhooks). An event names its subject by id; whoever
 * delivers it loads the subject's final state (terminal states never change afterwards).
 */
export type DomainEventType = 'prediction.succeeded' | 'prediction.failed' | 'batch.completed';

export type DomainEvent =
  | {
      type: 'prediction.succeeded' | 'prediction.failed';
      tenant: string;
      predictionId: string;
      occurredAt: string;
    }
  | { type: 'batch.completed'; tenant: string; batchId: string; occurredAt: string };

/** The seam through which state changes are announced (worker, batch bookkeeping). */
export interface EventSink {
  emit(event: DomainEvent): Promise<void>;
}

export const EVENT_SINK = Symbol('EVENT_SINK');
