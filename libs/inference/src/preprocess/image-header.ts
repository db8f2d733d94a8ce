import { InvalidImageError } from '../errors';
import { ByteReader } from './byte-reader';
import { readBmpHeader } from './bmp-header';
import { readDicomHeader } from './dicom-dataset';
import { dicomImageHeader } from './dicom-image-header';
import { readJpegHeader } from './header-jpeg';
import { readTiffHeader } from './header-tiff';
import { type ImageFormat, sniffImageFormat } from './image-sniff';
import { UnsupportedImageFormatError } from './preprocess.errors';

/** What upload-time checks need: the format and the size its header declares. */
export interface ProbedImage {
  format: ImageFormat;
  width: number;
  height: number;
}

/** The probe plus what the decoder needs to reproduce PIL where libvips differs. */
export interface ImageHeader extends ProbedImage {
  /**
   * CMYK pixels (4-component JPEG, separated TIFF), which PIL converts with its own formula.
   * PIL and libvips read the same ink values: both undo Adobe's inverted storage for every CMYK
   * JPEG, whether or not the Adobe marker is there.
   */
  cmyk: boolean;
  /** One 16-bit grey channel without alpha, which PIL clips to 8 bits instead of scaling. */
  grey16: boolean;
}

function readPng(r: ByteReader): ImageHeader {
  if (r.ascii(12, 4) !== 'IHDR') throw new InvalidImageError('PNG does not start with an IHDR chunk');
  const bitDepth = r.u8(24);
  const colourType = r.u8(25);
  return {
    format: 'png',
    width: r.u32(16, false),
    height: r.u32(20, false),
    cmyk: false,
    grey16: bitDepth === 16 && colourType === 0,
  };
}

function readGif(r: ByteReader): ImageHeader {
  return { format: 'gif', width: r.u16(6, true), height: r.u16(8, true), cmyk: false, grey16: false };
}

function readWebp(r: ByteReader): ImageHeader {
  const chunk = r.ascii(12, 4);
  const d = 20;
  let width: number;
  let height: number;
  if (chunk === 'VP8 ') {
    if (r.u8(d + 3) !== 0x9d || r.u8(d + 4) !== 0x01 || r.u8(d + 5) !== 0x2a) {
      throw new InvalidImageError('WebP lossy bitstream has no start code');
    }
    width = r.u16(d + 6, true) & 0x3fff;
    height = r.u16(d + 8, true) & 0x3fff;
  } else if (chunk === 'VP8L') {
    if (r.u8(d) !== 0x2f) throw new InvalidImageError('WebP lossless bitstream has no signature');
    const bits = r.u32(d + 1, true);
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
  } else if (chunk === 'VP8X') {
    width = (r.u16(d + 4, true) | (r.u8(d + 6) << 16)) + 1;
    height = (r.u16(d + 7, true) | (r.u8(d + 9) << 16)) + 1;
  } else {
    throw new InvalidImageError(`WebP has an unknown first chunk '${chunk}'`);
  }
  return { format: 'webp', width, height, cmyk: false, grey16: false };
}

/**
 * DICOM's size is Rows x Columns; its support (transfer syntax, pixel layout) is decided here
 * already, so an upload of a JPEG 2000 DICOM is refused before any pixel is read.
 */
function readDicom(bytes: Uint8Array): ImageHeader {
  const h = dicomImageHeader(readDicomHeader(bytes));
  return { format: 'dicom', width: h.width, height: h.height, cmyk: false, grey16: false };
}

/**
 * Reads only the signature and the header: cheap enough for upload-time checks. Throws
 * UnsupportedImageFormatError for anything but JPEG, PNG, WebP, TIFF, GIF, BMP and the DICOM we
 * decode (naming HEIC, AVIF, SVG, a DICOM transfer syntax and others it recognises) and
 * InvalidImageError for a broken header.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw new UnsupportedImageFormatError(null, 'the file is empty');
  const sniffed = sniffImageFormat(bytes);
  if (!sniffed) {
    throw new UnsupportedImageFormatError(
      null,
      'not a supported image format (JPEG, PNG, WebP, TIFF, GIF, BMP or DICOM)',
    );
  }
  if (sniffed.kind === 'refused') {
    throw new UnsupportedImageFormatError(
      sniffed.name,
      `${sniffed.name.toUpperCase()} images are not supported; convert to JPEG, PNG, WebP, TIFF, GIF or BMP`,
    );
  }
  const r = new ByteReader(bytes, sniffed.format.toUpperCase());
  switch (sniffed.format) {
    case 'jpeg': {
      const h = readJpegHeader(bytes);
      return { format: 'jpeg', width: h.width, height: h.height, cmyk: h.components === 4, grey16: false };
    }
    case 'png':
      return readPng(r);
    case 'gif':
      return readGif(r);
    case 'webp':
      return readWebp(r);
    case 'tiff': {
      const h = readTiffHeader(bytes);
      const cmyk = h.photometric === 5 && h.samplesPerPixel === 4 && h.bitsPerSample === 8;
      const grey16 = h.samplesPerPixel === 1 && h.bitsPerSample === 16 && h.photometric === 1;
      return { format: 'tiff', width: h.width, height: h.height, cmyk, grey16 };
    }
    case 'bmp': {
      const h = readBmpHeader(bytes);
      return { format: 'bmp', width: h.width, height: h.height, cmyk: false, grey16: false };
    }
    case 'dicom':
      return readDicom(bytes);
  }
}
