import type { Prediction } from '@dermafleet/jobs';
import { isSucceeded, predictionObservation } from '../fhir/prediction-observation';
import { csvHeader, csvRow } from './results-csv';

export type ResultsFormat = 'ndjson' | 'csv' | 'fhir-ndjson';

/** How one export format names itself and writes its lines; the exporter does the paging. */
export interface ResultsWriter {
  contentType: string;
  /** Written once at the top (the CSV header), from the batch's class labels. */
  header?: (labels: readonly string[]) => string;
  /** One prediction as its line(s); '' to leave it out. */
  line: (prediction: Prediction, labels: readonly string[]) => string;
  /** Whether it needs the class labels (read only when it does). */
  needsLabels: boolean;
  attachmentExtension?: string;
}

export const resultsWriters: Readonly<Record<ResultsFormat, ResultsWriter>> = {
  ndjson: {
    contentType: 'application/x-ndjson; charset=utf-8',
    line: (p) => `${JSON.stringify(p)}\n`,
    needsLabels: false,
  },
  csv: {
    contentType: 'text/csv; charset=utf-8',
    header: csvHeader,
    line: csvRow,
    needsLabels: true,
    attachmentExtension: 'csv',
  },
  // FHIR Bulk Data style: one Observation a line. Only results become Observations; a prediction
  // still queued or processing, or one that failed, has nothing to observe and is left out (the
  // ndjson and csv exports list it with its status and error instead).
  'fhir-ndjson': {
    contentType: 'application/fhir+ndjson; charset=utf-8',
    line: (p) => (isSucceeded(p) ? `${JSON.stringify(predictionObservation(p))}\n` : ''),
    needsLabels: false,
  },
};
