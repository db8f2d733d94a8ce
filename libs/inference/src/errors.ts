/**
 * Errors with a stable machine code (the contract's failure codes). `permanent` tells the queue
 * layer not to retry: a bad image stays bad however often it is decoded.
 */
export class InferenceError extends Error {
  constructor(
    readonly code: 'invalid_image' | 'image_too_large' | 'inference_failed' | 'invalid_model',
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'InferenceError';
  }
}

export class InvalidImageError extends InferenceError {
  constructor(message: string) {
    super('invalid_image', message, true);
    this.name = 'InvalidImageError';
  }
}

export class InvalidModelError extends InferenceError {
  constructor(message: string) {
    super('invalid_model', message, true);
    this.name = 'InvalidModelError';
  }
}
