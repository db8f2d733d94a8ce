import { type ProbedImage, readImageHeader } from './image-header';

export type { ProbedImage } from './image-header';
export { contentTypeOf, type ImageFormat } from './image-sniff';
export { type DicomIdentifiers, readDicomIdentifiers } from './dicom-identifiers';
export { ImageTooLargeError, UnsupportedImageFormatError } from './preprocess.errors';

/**
 * Upload-time check: the format and the size the header declares, from the signature and the
 * header alone (no pixel is decoded, so it is cheap on any size). Throws
 * UnsupportedImageFormatError for an empty file, an unknown format or a recognised but refused
 * one (HEIC, AVIF, SVG, PDF, ... named in the message), and InvalidImageError for a broken header.
 */
export function probeImage(bytes: Uint8Array): ProbedImage {
  const { format, width, height } = readImageHeader(bytes);
  return { format, width, height };
}
