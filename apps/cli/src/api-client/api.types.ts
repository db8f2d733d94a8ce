/* What the CLI reads from the API (CONTRACT.md); only the fields it uses. */

export type { Batch, BatchCounts } from '@dermafleet/jobs';

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface PredictionRef {
  id: string;
  status: 'queued' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  filename: string | null;
  error: ErrorInfo | null;
}

export interface UploadEntry {
  filename: string;
  sha256: string;
  bytes: number;
  content_type: string;
  metadata?: Record<string, string>;
}

export interface UploadTicket {
  prediction_id: string;
  filename: string;
  url: string | null;
  headers: Record<string, string>;
  expires_at: string | null;
}

export interface UploadsAnswer {
  uploads: UploadTicket[];
  rejected?: Array<{ filename: string | null; error: ErrorInfo }>;
}

export interface CompleteAnswer {
  accepted: PredictionRef[];
  rejected: Array<{ prediction_id: string; error: ErrorInfo }>;
}

export interface AddImagesAnswer {
  accepted: PredictionRef[];
  rejected: Array<{ filename: string | null; error: ErrorInfo }>;
}
