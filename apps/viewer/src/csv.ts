import type { Prediction } from './types.js';

/** RFC 4180 cell, with the contract's guard against spreadsheet formula injection. */
function cell(value: string | number | boolean | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The same columns as GET /v1/batches/{id}/results?format=csv (CONTRACT.md "CSV export"). */
export function toCsv(predictions: Prediction[], labels: string[]): string {
  const header = [
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
  const lines = predictions.map((p) => {
    const probs = new Map((p.result?.probabilities ?? []).map((x) => [x.label, x.probability]));
    return [
      p.id,
      p.filename,
      p.status,
      p.result?.label,
      p.result?.confidence,
      ...labels.map((l) => probs.get(l)),
      p.error?.code,
      p.error?.message,
      p.image.sha256,
      p.result ? p.result.cached : '',
    ]
      .map(cell)
      .join(',');
  });
  return [header.map(cell).join(','), ...lines].join('\r\n') + '\r\n';
}
