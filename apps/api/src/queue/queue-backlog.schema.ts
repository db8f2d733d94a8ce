import { ApiProperty } from '@nestjs/swagger';
import { z } from 'zod';

/** The BullMQ states that are work still to do: what KEDA scales on (DESIGN.md round 2). */
export const BACKLOG_STATES = ['waiting', 'prioritized', 'delayed', 'active'] as const;

const queueBacklog = z.object({
  waiting: z.number().int().nonnegative(),
  prioritized: z.number().int().nonnegative(),
  delayed: z.number().int().nonnegative(),
  active: z.number().int().nonnegative(),
  /** waiting + prioritized + delayed + active: KEDA's metric (`queues.inference.total`). */
  total: z.number().int().nonnegative(),
});

/** `GET /metrics/backlog` (CONTRACT.md v3): counts only, no tenant data. */
export const backlogResponse = z.object({
  queues: z.object({ inference: queueBacklog, preprocess: queueBacklog }),
});
export type QueueBacklog = z.infer<typeof queueBacklog>;
export type BacklogResponse = z.infer<typeof backlogResponse>;

/* OpenAPI description in the current DTO style (the zod schema above is the runtime truth). */
export class QueueBacklogDto {
  @ApiProperty({ description: 'jobs waiting without a priority' }) waiting!: number;
  @ApiProperty({ description: 'jobs waiting with a priority (every prediction job has one)' })
  prioritized!: number;
  @ApiProperty({ description: 'jobs waiting for a retry (backoff)' }) delayed!: number;
  @ApiProperty({ description: 'jobs a worker holds now' }) active!: number;
  @ApiProperty({ description: 'waiting + prioritized + delayed + active: the number to scale on' })
  total!: number;
}

export class BacklogQueuesDto {
  @ApiProperty({ type: QueueBacklogDto }) inference!: QueueBacklogDto;
  @ApiProperty({ type: QueueBacklogDto }) preprocess!: QueueBacklogDto;
}

export class BacklogDto {
  @ApiProperty({ type: BacklogQueuesDto }) queues!: BacklogQueuesDto;
}
