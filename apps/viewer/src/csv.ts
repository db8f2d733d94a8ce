import type { Prediction } from './types.js';

/** RFC 4180 cell, with the contract's guard against spreadsheet formula injection. */
function cell(value: string | number | boolean | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** DICOM identifiers after the contract's columns, as the API's CSV has them (results-csv.ts). */
const DICOM_COLUMNS = ['study_instance_uid', 'series_instance_uid', 'sop_instance_uid', 'accession_number'];

function dicomValues(metadata: Record<string, unknown>): string[] {
  const dicom = metadata.dicom;
  const values = dicom && typeof dicom === 'object' ? (dicom as Record<string, unknown>) : {};
  return DICOM_COLUMNS.map((column) =>
    typeof values[column] === 'string' ? (values[column] as string) : '',
  );
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
    ...DICOM_COLUMNS,
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
      ...dicomValues(p.metadata),
    ]
      .map(cell)
      .join(',');
  });
  return [header.map(cell).join(','), ...lines].join('\r\n') + '\r\n';
}
