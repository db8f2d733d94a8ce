/**
 * Errors that stop a worker at start with exit 1 and one sentence (its message): the model it was
 * told to use cannot be had intact, so it must not serve any other.
 */
export class ModelIntegrityError extends Error {
  override name = 'ModelIntegrityError';
}

/** The model could not be fetched at all (no manifest, no such object, S3 unreachable). */
export class ModelDownloadError extends Error {
  override name = 'ModelDownloadError';
}
