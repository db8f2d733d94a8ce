/** Sums and counts of every `*_stage_seconds` histogram of an app, by stage. */
export interface StageTotals {
  sum: Map<string, number>;
  count: Map<string, number>;
  since(before: StageTotals): StageMeans;
}

/** Mean milliseconds per stage over an interval, in the order the app reports them. */
export type StageMeans = Array<{ stage: string; meanMs: number; count: number }>;

export async function stageMeans(appUrl: string): Promise<StageTotals> {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  const sum = new Map<string, number>();
  const count = new Map<string, number>();
  for (const m of text.matchAll(/^dermafleet_\w+_stage_seconds_(sum|count)\{stage="(\w+)"\} (\S+)$/gm)) {
    (m[1] === 'sum' ? sum : count).set(m[2], Number(m[3]));
  }
  return {
    sum,
    count,
    since(before: StageTotals): StageMeans {
      return [...count.keys()].map((stage) => {
        const n = (count.get(stage) ?? 0) - (before.count.get(stage) ?? 0);
        const s = (sum.get(stage) ?? 0) - (before.sum.get(stage) ?? 0);
        return { stage, count: n, meanMs: n > 0 ? (s * 1000) / n : NaN };
      });
    },
  };
}
