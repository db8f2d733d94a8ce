import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/public.decorator';
import { ApiError } from '../errors/api-error';
import type { BacklogResponse } from './queue-backlog.schema';
import { QueueBacklogService } from './queue-backlog.service';

/** Seconds a scaler should wait before asking again when Redis could not be read. */
const RETRY_AFTER_S = '5';

@Public()
@Controller('metrics/backlog')
export class QueueBacklogController {
  constructor(private readonly backlog: QueueBacklogService) {}

  @Get()
  // Documented in openapi/contract.paths.ts (read from Redis: every replica answers the same).
  async get(): Promise<BacklogResponse> {
    try {
      return await this.backlog.read();
    } catch (err) {
      throw new ApiError(
        503,
        'dependency_unavailable',
        `The queue backlog cannot be read from Redis right now (${(err as Error).message}).`,
        { 'Retry-After': RETRY_AFTER_S },
      );
    }
  }
}
