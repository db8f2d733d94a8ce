import type { Prediction } from '@dermafleet/jobs';
import type { ApiError, ApiErrorCode } from '../errors/api-error';

export interface ErrorInfo {
  code: ApiErrorCode | 'upload_missing';
  message: string;
}

/** A file a batch call did not take, and why. */
export interface RejectedFile {
  filename: string | null;
  error: ErrorInfo;
}

export interface RejectedPrediction {
  prediction_id: string;
  error: ErrorInfo;
}

export interface AddImagesResult {
  accepted: Prediction[];
  rejected: RejectedFile[];
}

/** One direct upload: PUT the bytes to `url` with `headers` (url null: nothing to send). */
export interface UploadTicket {
  prediction_id: string;
  filename: string;
  url: string | null;
  headers: Record<string, string>;
  expires_at: string | null;
}

export interface UploadsResult {
  uploads: UploadTicket[];
  /** Added to the contract's answer: entries that were not taken (bad filename, not an image type, too large). */
  rejected: RejectedFile[];
}

export interface CompleteResult {
  accepted: Prediction[];
  rejected: RejectedPrediction[];
}

/** The contract error body's {code, message} of an ApiError. */
export function errorInfoOf(err: ApiError): ErrorInfo {
  return (err.getResponse() as { error: ErrorInfo }).error;
}
