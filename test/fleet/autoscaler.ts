import { KedaRules, type KedaSettings } from './keda-rules';
import type { WorkerFleet } from './worker-fleet';

export interface TimelineRow {
  t: number;
  backlog: number | null;
  desired: number;
  replicas: number;
  event: string;
}

/**
 * The test's KEDA: every `pollMs` it reads `queues.inference.total` from the API's
 * /metrics/backlog (what KEDA's metrics-api scaler reads), applies KedaRules and scales the
 * fleet of real worker processes. It records a timeline of every change.
 */
export class Autoscaler {
  readonly timeline: TimelineRow[] = [];
  private readonly rules: KedaRules;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private desired = 0;
  private lastBacklog: number | null = null;
  private ticking = false;

  constructor(
    private readonly apiUrl: string,
    private readonly fleet: WorkerFleet,
    settings: KedaSettings,
    private readonly pollMs: number,
  ) {
    this.rules = new KedaRules(settings);
  }

  get replicas(): number {
    return this.fleet.live.length;
  }

  /** Called by the fleet and the test for things that happen between polls. */
  note(event: string): void {
    this.record(event);
  }

  start(): void {
    this.record('autoscaler started');
    this.timer = setInterval(() => void this.tick(), this.pollMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async readBacklog(): Promise<number | null> {
    try {
      const res = await fetch(`${this.apiUrl}/metrics/backlog`, { signal: AbortSignal.timeout(5000) });
      if (res.status !== 200) return null;
      const body = (await res.json()) as { queues: { inference: { total: number } } };
      return body.queues.inference.total;
    } catch {
      return null;
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const backlog = await this.readBacklog();
      const before = this.replicas;
      const desired = this.rules.desired(backlog, before, Date.now());
      const changed = desired !== this.desired || desired !== before;
      this.desired = desired;
      this.lastBacklog = backlog;
      if (changed) {
        this.fleet.scaleTo(desired);
        this.record(backlog === null ? 'backlog unreadable' : `scale ${before} -> ${desired}`);
      }
    } finally {
      this.ticking = false;
    }
  }

  private record(event: string): void {
    this.timeline.push({
      t: (Date.now() - this.startedAt) / 1000,
      backlog: this.lastBacklog,
      desired: this.desired,
      replicas: this.replicas,
      event,
    });
  }

  /** The timeline as a fixed-width table, for the test's output and the closing note. */
  format(): string {
    const lines = ['    t(s)  backlog  desired  replicas  event'];
    for (const r of this.timeline) {
      lines.push(
        `${r.t.toFixed(1).padStart(8)}  ${String(r.backlog ?? '?').padStart(7)}  ${String(r.desired).padStart(7)}  ` +
          `${String(r.replicas).padStart(8)}  ${r.event}`,
      );
    }
    return lines.join('\n');
  }
}
