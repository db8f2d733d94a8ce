import { Controller, Get, Header } from '@nestjs/common';
import { WorkerMetrics } from './worker.metrics';

/** Prometheus text format; every series of ours starts with `dermafleet_`. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: WorkerMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  get(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
