import type { Prediction } from '@dermafleet/jobs';
import { type Options, stringify } from 'csv-stringify/sync';

/**
 * RFC 4180 through csv-stringify (STYLE.md #15): CRLF records, quotes doubled, and a cell quoted
 * when it holds a quote, comma, CR or LF (`quoted_match`: csv-stringify alone leaves a lone LF
 * bare when records end in CRLF). `escape_formulas` puts a ' before a cell starting with =, +,
 * -, @, TAB or CR, so a spreadsheet shows it instead of running it (CSV injection).
 */
const options: Options = { escape_formulas: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ };

const line = (cells: string[]): string => stringify([cells], options);

/** One cell as it appears in a line (for tests and single values). */
export function csvCell(value: string): string {
  return line([value]).slice(0, -2);
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
    ...DICOM_COLUMNS,
  ];
  return line(columns);
}

/**
 * DICOM identifiers, after the contract's columns (so a reader of the contract's header still
 * finds every column where it was): what joins a result back to the PACS study and image.
 */
export const DICOM_COLUMNS = [
  'study_instance_uid',
  'series_instance_uid',
  'sop_instance_uid',
  'accession_number',
];

/** The prediction's metadata.dicom values for DICOM_COLUMNS ('' where absent or not DICOM). */
export function dicomCells(metadata: Record<string, unknown>): string[] {
  const dicom = metadata.dicom;
  const values = dicom && typeof dicom === 'object' ? (dicom as Record<string, unknown>) : {};
  return DICOM_COLUMNS.map((column) =>
    typeof values[column] === 'string' ? (values[column] as string) : '',
  );
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
    ...dicomCells(prediction.metadata),
  ];
  return line(cells);
}
