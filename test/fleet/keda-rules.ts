/**
 * KEDA's scaling rules for one ScaledObject with a metrics-api trigger (metricType AverageValue),
 * as the fleet test applies them to real worker processes:
 *
 * - active when the metric is above `activationThreshold`; inactive for `cooldownMs` -> 0 replicas
 *   (KEDA's cooldownPeriod; it applies only to scaling to zero);
 * - while active, the HPA's rule: desired = ceil(metric / target), within [max(min, 1), max];
 *   going up at once, going down only to the highest desired count of the last `stabilizationMs`
 *   (the HPA's scale-down stabilization window);
 * - a metric that cannot be read, `failureThreshold` times in a row, gives `fallbackReplicas`
 *   (KEDA's fallback), never 0 because unknown; before that, replicas stay as they are.
 */
export interface KedaSettings {
  target: number;
  activationThreshold: number;
  minReplicas: number;
  maxReplicas: number;
  cooldownMs: number;
  stabilizationMs: number;
  failureThreshold: number;
  fallbackReplicas: number;
}

export class KedaRules {
  private lastActiveAt = Number.NEGATIVE_INFINITY;
  private recent: Array<{ at: number; desired: number }> = [];
  private failures = 0;

  constructor(private readonly settings: KedaSettings) {}

  /** The replica count KEDA + HPA would set now, given the metric (null: it could not be read). */
  desired(metric: number | null, current: number, now: number): number {
    const s = this.settings;
    if (metric === null) {
      this.failures++;
      return this.failures >= s.failureThreshold ? s.fallbackReplicas : current;
    }
    this.failures = 0;
    if (metric > s.activationThreshold) this.lastActiveAt = now;
    if (now - this.lastActiveAt >= s.cooldownMs) {
      this.recent = [];
      return s.minReplicas;
    }
    const floor = Math.max(s.minReplicas, 1);
    const raw = Math.min(s.maxReplicas, Math.max(floor, Math.ceil(metric / s.target)));
    this.recent = this.recent.filter((r) => now - r.at < s.stabilizationMs);
    this.recent.push({ at: now, desired: raw });
    if (raw >= current) return raw;
    return Math.max(raw, ...this.recent.map((r) => r.desired));
  }
}
