import { HttpException } from '@nestjs/common';

/** The contract's error codes (CONTRACT.md "Errors"). */
export type ApiErrorCode =
  | 'unauthorized'
  | 'not_found'
  | 'invalid_request'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'image_too_large'
  | 'batch_sealed'
  | 'rate_limited'
  | 'queue_full'
  | 'dependency_unavailable'
  | 'idempotency_key_reused'
  // ?format=fhir of a prediction that is not (or not yet) succeeded: there is no result to report.
  | 'prediction_not_succeeded'
  // DELETE of a prediction (or a batch with one) a worker is processing right now (Retry-After).
  | 'prediction_processing'
  | 'internal_error';

/** An HTTP error with the contract's body: {"error": {"code", "message"}}. */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super({ error: { code, message } }, status);
  }

  static notFound(what = 'resource'): ApiError {
    return new ApiError(404, 'not_found', `No such ${what}.`);
  }

  static invalid(message: string): ApiError {
    return new ApiError(400, 'invalid_request', message);
  }
}
