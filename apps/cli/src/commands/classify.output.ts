import type { ClassificationResult } from '@dermafleet/inference';

export type FileOutcome =
  | { filename: string; result: ClassificationResult }
  | { filename: string; error: { code: string; message: string } };

/** `--json`: the contract's `result` object plus `filename`, or `{filename, error}`. One line each. */
export function jsonLine(outcome: FileOutcome): string {
  if ('error' in outcome) return JSON.stringify({ filename: outcome.filename, error: outcome.error });
  return JSON.stringify({ ...outcome.result, filename: outcome.filename });
}

/** A plain table: file, label, confidence and the runner-up, so a close call is visible. */
export function tableLines(outcomes: FileOutcome[]): string[] {
  const rows = outcomes.map((o) => {
    if ('error' in o) return [o.filename, `ERROR ${o.error.code}`, '', o.error.message];
    const sorted = [...o.result.probabilities].sort((a, b) => b.probability - a.probability);
    const second = sorted[1];
    return [
      o.filename,
      o.result.label,
      o.result.confidence.toFixed(4),
      second ? `${second.label} ${second.probability.toFixed(4)}` : '',
    ];
  });
  const header = ['FILE', 'LABEL', 'CONFIDENCE', 'RUNNER-UP'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)];
}
