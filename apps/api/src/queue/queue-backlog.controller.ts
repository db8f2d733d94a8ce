import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { ApiError } from '../errors/api-error';
import { BacklogDto, type BacklogResponse } from './queue-backlog.schema';
import { QueueBacklogService } from './queue-backlog.service';

/** Seconds a scaler should wait before asking again when Redis could not be read. */
const RETRY_AFTER_S = '5';

@ApiTags('metrics')
@Public()
@Controller('metrics/backlog')
export class QueueBacklogController {
  constructor(private readonly backlog: QueueBacklogService) {}

  @Get()
  @ApiOperation({
    summary: 'Work still to do per queue, for autoscalers (KEDA metrics-api reads queues.inference.total)',
    description:
      'Read from Redis, so every API replica answers the same numbers: aggregate with max(), never sum(). ' +
      'No key needed; counts only. 503 dependency_unavailable when Redis cannot be read (never a 0).',
  })
  @ApiOkResponse({ type: BacklogDto })
  @ApiServiceUnavailableResponse({ description: 'Redis could not be read; retry after Retry-After seconds' })
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
