import { Injectable } from '@nestjs/common';
import {
  Delivery,
  DeliveryRepository,
  DeliveryStatus,
  InvalidCursorError,
  toPublicDelivery,
} from '@dermafleet/jobs';
import { ApiError } from '../errors/api-error';
import { DeliveryScheduler } from './delivery/delivery.scheduler';

export interface DeliveryListing {
  deliveries: Delivery[];
  next_cursor: string | null;
}

/** The tenant-facing delivery log: listing, and redelivery (same webhook-id, new attempt chain). */
@Injectable()
export class DeliveryLogService {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly scheduler: DeliveryScheduler,
  ) {}

  async list(
    tenant: string,
    query: { status?: DeliveryStatus; cursor?: string; limit: number },
  ): Promise<DeliveryListing> {
    try {
      const page = await this.deliveries.list(tenant, query);
      return { deliveries: page.deliveries.map(toPublicDelivery), next_cursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw ApiError.invalid(err.message);
      throw err;
    }
  }

  async redeliver(tenant: string, id: string): Promise<Delivery> {
    const record = await this.deliveries.get(tenant, id);
    if (!record) throw ApiError.notFound('delivery');
    const restarted = await this.deliveries.restart(record);
    if (!restarted) {
      // A concurrent redelivery of the same delivery won: a new chain is already under way.
      const current = await this.deliveries.get(tenant, id);
      if (!current) throw ApiError.notFound('delivery');
      return toPublicDelivery(current);
    }
    await this.scheduler.startChain(restarted);
    await this.scheduler.retireChain(record.job);
    return toPublicDelivery(restarted);
  }
}
