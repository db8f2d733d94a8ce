import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a sampled frame's time goes, by the code it is in (first match wins). */
const CATEGORIES: Array<[string, RegExp]> = [
  [
    'S3 client and HTTP (download and write-back)',
    /@smithy|@aws-sdk|_http_|node:http|node:net|undici|fast-xml|libs\/storage/,
  ],
  ['Redis and BullMQ (jobs, records, completion)', /ioredis|bullmq|redis-parser|libs\/jobs/],
  [
    'batching (micro-batcher, hand-over to the session thread)',
    /micro-batcher|batch-runner|threaded-model-session|image-classifier/,
  ],
  ['result building (softmax, JSON)', /softmax|classification|prediction-outcome|JSON/],
  ['job handlers', /apps\/worker/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['idle', /^\(idle\)$/],
];

function categoryOf(node: ProfileNode): string {
  const key = node.callFrame.url || node.callFrame.functionName;
  for (const [name, pattern] of CATEGORIES) if (pattern.test(key)) return name;
  return 'Node internals (streams, timers, buffers)';
}

/**
 * Shares of a thread's running time by the code it ran, from the `.cpuprofile` files in `dir`
 * (--cpu-prof), counting samples taken between `fromUs` and `toUs` (the monotonic clock V8 and
 * process.hrtime share on Linux), idle left out. Samples, not their time deltas: on a busy
 * machine a descheduled thread's next sample carries the time it waited.
 */
export function cpuSharesFromProfiles(dir: string, fromUs: number, toUs: number): Record<string, number> {
  const counts: Record<string, number> = {};
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const category = new Map<number, string>();
    // A native leaf (no script) takes the category of its nearest caller that has one.
    const resolve = (id: number): string => {
      const known = category.get(id);
      if (known) return known;
      const node = byId.get(id)!;
      let name = categoryOf(node);
      if (name.startsWith('Node internals') && !node.callFrame.url && parent.has(id))
        name = resolve(parent.get(id)!);
      category.set(id, name);
      return name;
    };
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      at += profile.timeDeltas[i] ?? 0;
      if (at < fromUs || at > toUs) return;
      const name = resolve(id);
      if (name === 'idle') return;
      counts[name] = (counts[name] ?? 0) + 1;
      total++;
    });
  }
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / total]));
}
