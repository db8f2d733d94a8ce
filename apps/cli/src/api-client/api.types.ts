/* What the CLI reads from the API (CONTRACT.md); only the fields it uses. */

export interface BatchCounts {
  total: number;
  queued: number;
  processing: number;
  succeeded: number;
  failed: number;
}

export interface Batch {
  id: string;
  status: 'open' | 'sealed' | 'completed';
  name: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  sealed_at: string | null;
  completed_at: string | null;
  counts: BatchCounts;
}

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface PredictionRef {
  id: string;
  status: 'queued' | 'processing' | 'succeeded' | 'failed';
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
