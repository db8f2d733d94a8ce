import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { RedisHealthIndicator } from '@dermafleet/jobs';
import { S3HealthIndicator } from '@dermafleet/storage';
import { Public } from '../auth/public.decorator';

@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealthIndicator,
    private readonly s3: S3HealthIndicator,
  ) {}

  /** The process is up and its event loop turns. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Redis and S3 answer: the API can take uploads. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.redis.check(), () => this.s3.check()]);
  }
}
