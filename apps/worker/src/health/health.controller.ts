import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { RedisHealthIndicator } from '@dermafleet/jobs';
import { S3HealthIndicator } from '@dermafleet/storage';
import { ModelRuntimeService } from '../inference/model-runtime.service';
import { PreprocessRuntimeService } from '../preprocess/preprocess-runtime.service';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisHealthIndicator,
    private readonly s3: S3HealthIndicator,
    private readonly runtime: ModelRuntimeService,
    private readonly preprocessRuntime: PreprocessRuntimeService,
  ) {}

  /** A worker whose model can no longer run is not live: Kubernetes restarts it. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([
      () => {
        const indicator = this.indicators.check('model');
        return this.runtime.broken
          ? indicator.down({ message: 'the model session can no longer run' })
          : indicator.up();
      },
    ]);
  }

  /** Redis and S3 answer, and the model is loaded and warmed (preprocess pods: the thread pool is up). */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.redis.check(),
      () => this.s3.check(),
      () => {
        const indicator = this.indicators.check('model');
        return this.runtime.ready || this.preprocessRuntime.ready
          ? indicator.up()
          : indicator.down({ message: 'model not loaded and warmed yet' });
      },
    ]);
  }
}
