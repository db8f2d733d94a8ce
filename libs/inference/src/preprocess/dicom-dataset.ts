import { data as dcmjs, log as dcmjsLog, type DicomElements } from 'dcmjs';
import { InvalidImageError } from '../errors';

/*
 * DICOM Part 10 parsing goes through dcmjs (the dcmjs-org library behind OHIF's tools), never
 * our own byte reading: it handles implicit/explicit VR, sequences of undefined length, the
 * encapsulated pixel data's fragments and offset table, and it also writes files, which the
 * tests use to build their fixtures. dicom-parser (read-only) would have needed a second
 * library for that.
 */

/*
 * dcmjs's validation logger reports lenient readings, such as "Invalid vr type ox - using OW"
 * for every implicit-VR Pixel Data (the dictionary cannot know OB from OW there; OW is right for
 * little endian bytes). A real failure reaches us as an exception instead, so these are noise.
 */
dcmjsLog.getLogger('validation.dcmjs').setLevel('silent');

/** The tags we read, keyed as dcmjs keys elements (8 upper-case hex digits). */
export const DICOM_TAG = {
  transferSyntaxUid: '00020010',
  sopInstanceUid: '00080018',
  accessionNumber: '00080050',
  modality: '00080060',
  patientId: '00100020',
  bodyPartExamined: '00180015',
  studyInstanceUid: '0020000D',
  seriesInstanceUid: '0020000E',
  samplesPerPixel: '00280002',
  photometricInterpretation: '00280004',
  planarConfiguration: '00280006',
  numberOfFrames: '00280008',
  rows: '00280010',
  columns: '00280011',
  bitsAllocated: '00280100',
  pixelRepresentation: '00280103',
  pixelData: '7FE00010',
} as const;

export interface DicomDataset {
  /** The file meta group (0002,xxxx): the transfer syntax. */
  meta: DicomElements;
  /** The dataset proper. */
  elements: DicomElements;
}

function parse(bytes: Uint8Array, untilTag: string | null): DicomDataset {
  // dcmjs reads an ArrayBuffer of its own; the copy is the file (or its first bytes) once.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const file = dcmjs.DicomMessage.readFile(buffer, { untilTag, includeUntilTagValue: false });
    return { meta: file.meta, elements: file.dict };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new InvalidImageError(`the DICOM file could not be parsed: ${message}`);
  }
}

/**
 * Everything before the pixel data, which is where DICOM keeps it all: enough for upload checks
 * and identifiers from the first bytes of a file (those must reach the Pixel Data element).
 */
export function readDicomHeader(bytes: Uint8Array): DicomDataset {
  return parse(bytes, DICOM_TAG.pixelData);
}

/** The whole file, pixel data included. */
export function readDicomFile(bytes: Uint8Array): DicomDataset {
  return parse(bytes, null);
}

/** The first value of a text element, without padding; undefined when absent or empty. */
export function textValue(elements: DicomElements, tag: string): string | undefined {
  const value = elements[tag]?.Value?.[0];
  if (typeof value !== 'string') return undefined;
  // UIs are padded with NUL, other text VRs with spaces.
  const text = value.replaceAll(String.fromCharCode(0), '').trim();
  return text === '' ? undefined : text;
}

/** The first value of a numeric element (US, or IS which dcmjs may give as a string). */
export function numberValue(elements: DicomElements, tag: string): number | undefined {
  const value = elements[tag]?.Value?.[0];
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}
