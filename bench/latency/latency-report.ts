import type { InteractiveLatencyResult, Spread } from './interactive.bench';

const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'n/a');
const row = (s: Spread): string => `p50 ${ms(s.p50)}, p90 ${ms(s.p90)} (min ${ms(s.min)}, max ${ms(s.max)})`;

export function formatLatency(r: InteractiveLatencyResult): string[] {
  const stages = (list: InteractiveLatencyResult['apiStages']) =>
    list
      .filter((s) => s.count > 0)
      .map((s) => `${s.stage} ${ms(s.meanMs)}`)
      .join(', ');
  return [
    `interactive latency, base model, ${r.images} distinct 1024x768 JPEGs one after another, POST ?wait=30:`,
    `  end to end (upload -> answer with the result): ${row(r.endToEnd)}`,
    `  floor (exact preprocessing + one batch-1 run, same images, same run): ${row(r.floor)}`,
    `  end to end / floor: p50 ${r.ratioP50.toFixed(2)}x, p90 ${r.ratioP90.toFixed(2)}x   target p50 <= 1.5x`,
    `  mean per stage, API: ${stages(r.apiStages)}`,
    `  mean per stage, worker: ${stages(r.workerStages)}`,
    `  machine load average during the run: ${r.loadAverage.toFixed(2)}`,
  ];
}
