import type { Prediction } from '@dermafleet/jobs';

/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled. A
 * cell starting with =, +, - or @ gets a leading ' so a spreadsheet shows it instead of running
 * it as a formula (CSV injection).
 */
export function csvCell(value: string): string {
  const guarded = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** Numbers as JSON writes them (shortest round-trip form), so the CSV and NDJSON agree digit for digit. */
const num = (n: number): string => JSON.stringify(n);

export function csvHeader(labels: readonly string[]): string {
  const columns = [
    'prediction_id',
    'filename',
    'status',
    'label',
    'confidence',
    ...labels,
    'error_code',
    'error_message',
    'sha256',
    'cached',
  ];
  return `${columns.map(csvCell).join(',')}\r\n`;
}

/**
 * One prediction as a CSV line. Probability columns follow `labels` (the header's); a result
 * from a model with other labels fills only the columns whose label it has.
 */
export function csvRow(prediction: Prediction, labels: readonly string[]): string {
  const result = prediction.result;
  const byLabel = new Map(result?.probabilities.map((p) => [p.label, p.probability]));
  const probability = (label: string): string => {
    const p = byLabel.get(label);
    return p === undefined ? '' : num(p);
  };
  const cells = [
    prediction.id,
    prediction.filename ?? '',
    prediction.status,
    result?.label ?? '',
    result ? num(result.confidence) : '',
    ...labels.map(probability),
    prediction.error?.code ?? '',
    prediction.error?.message ?? '',
    prediction.image.sha256,
    result ? String(result.cached) : '',
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}
