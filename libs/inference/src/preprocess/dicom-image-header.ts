import { InvalidImageError } from '../errors';
import { DICOM_TAG, type DicomDataset, numberValue, textValue } from './dicom-dataset';
import { describeSyntax, type DicomPixelEncoding, transferSyntax } from './dicom-syntax';
import { UnsupportedImageFormatError } from './preprocess.errors';

/** What decoding needs to know about a DICOM image, once its support is established. */
export interface DicomImageHeader {
  encoding: DicomPixelEncoding;
  width: number;
  height: number;
  /** 1 (MONOCHROME2) or 3 (RGB); for JPEG, what the header says (the bitstream decides). */
  samplesPerPixel: number;
  /** Colour planes one after the other (PlanarConfiguration 1) rather than interleaved. */
  planar: boolean;
  frames: number;
}

function refuse(why: string): never {
  throw new UnsupportedImageFormatError('dicom', why);
}

/**
 * Uncompressed pixels are taken as they are, so only layouts that are already 8-bit RGB or grey
 * are: PIL's Image.fromarray on the same array. Anything needing a rescale, a palette or a colour
 * transform (16-bit, signed, MONOCHROME1, YBR, PALETTE COLOR) would be our own rendering choice.
 */
function checkRawLayout(d: DicomDataset, syntaxText: string): { samplesPerPixel: number; planar: boolean } {
  const bits = numberValue(d.elements, DICOM_TAG.bitsAllocated);
  const samples = numberValue(d.elements, DICOM_TAG.samplesPerPixel) ?? 1;
  const photometric = textValue(d.elements, DICOM_TAG.photometricInterpretation) ?? 'MONOCHROME2';
  const signed = numberValue(d.elements, DICOM_TAG.pixelRepresentation) === 1;
  const planar = numberValue(d.elements, DICOM_TAG.planarConfiguration) === 1;
  if (bits !== 8) {
    refuse(
      `DICOM ${syntaxText} with ${bits ?? 'unknown'}-bit pixels is not supported; only 8-bit RGB or MONOCHROME2 pixels are read uncompressed`,
    );
  }
  const layoutOk =
    (samples === 3 && photometric === 'RGB') || (samples === 1 && photometric === 'MONOCHROME2');
  if (!layoutOk || signed) {
    refuse(
      `DICOM ${syntaxText} with ${signed ? 'signed ' : ''}${photometric} pixels (${samples} per pixel) is not supported; only 8-bit RGB or MONOCHROME2 pixels are read uncompressed`,
    );
  }
  return { samplesPerPixel: samples, planar: samples === 3 && planar };
}

/**
 * The image attributes of a parsed DICOM (header only is enough), refusing with
 * UnsupportedImageFormatError, in a sentence naming the transfer syntax, what we do not decode:
 * every syntax but JPEG Baseline/Extended and uncompressed little endian, and uncompressed
 * layouts other than 8-bit RGB and MONOCHROME2. Multi-frame files give their first frame.
 */
export function dicomImageHeader(d: DicomDataset): DicomImageHeader {
  const uid = textValue(d.meta, DICOM_TAG.transferSyntaxUid);
  if (!uid) throw new InvalidImageError('the DICOM file meta information has no Transfer Syntax UID');
  const syntax = transferSyntax(uid);
  const syntaxText = describeSyntax(syntax);
  if (!syntax.encoding) {
    refuse(
      `DICOM transfer syntax ${syntaxText} is not supported; send JPEG Baseline, JPEG Extended or uncompressed little-endian DICOM, or the image as JPEG or PNG`,
    );
  }
  const width = numberValue(d.elements, DICOM_TAG.columns);
  const height = numberValue(d.elements, DICOM_TAG.rows);
  if (!width || !height) {
    refuse(`the DICOM file (${syntaxText}) has no Rows and Columns: it holds no image`);
  }
  const frames = numberValue(d.elements, DICOM_TAG.numberOfFrames) ?? 1;
  const layout =
    syntax.encoding === 'raw'
      ? checkRawLayout(d, syntaxText)
      : { samplesPerPixel: numberValue(d.elements, DICOM_TAG.samplesPerPixel) ?? 3, planar: false };
  return { encoding: syntax.encoding, width, height, frames: Math.max(1, frames), ...layout };
}
