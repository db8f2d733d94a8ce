import { data as dcmjs, type DicomElements } from 'dcmjs';

/**
 * DICOM files for tests, written by dcmjs around shared/fixtures images or raw pixels (no
 * binary DICOM is committed). The identifiers are fixed, so tests can look for them.
 */

export const SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpeg2000: '1.2.840.10008.1.2.4.91',
  rle: '1.2.840.10008.1.2.5',
  bigEndian: '1.2.840.10008.1.2.2',
} as const;

/** VL Photographic Image Storage: what a dermatology photograph in PACS usually is. */
const VL_PHOTOGRAPHIC = '1.2.840.10008.5.1.4.1.1.77.1.4';

export const FIXTURE_IDS = {
  study_instance_uid: '1.2.826.0.1.3680043.8.498.10001',
  series_instance_uid: '1.2.826.0.1.3680043.8.498.10001.1',
  sop_instance_uid: '1.2.826.0.1.3680043.8.498.10001.1.1',
  accession_number: 'ACC-77',
  modality: 'XC',
  body_part_examined: 'ARM',
} as const;
export const FIXTURE_PATIENT_ID = 'PAT-0042';

export interface DicomFixture {
  transferSyntax: string;
  rows: number;
  columns: number;
  /** Encapsulated syntaxes: one buffer per frame; uncompressed: the whole Pixel Data. */
  pixelData: Uint8Array[];
  samplesPerPixel?: number;
  photometric?: string;
  planarConfiguration?: 0 | 1;
  bitsAllocated?: number;
  frames?: number;
  /** Leave out the identifiers and the patient module. */
  anonymous?: boolean;
  /** Identifiers of this file instead of FIXTURE_IDS' (e.g. a distinct SOP Instance UID each). */
  ids?: Partial<DicomIds>;
}

export type DicomIds = Record<keyof typeof FIXTURE_IDS, string>;

const el = (vr: string, ...values: unknown[]) => ({ vr, Value: values });

function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

function identifiers(overrides: Partial<DicomIds> = {}): DicomElements {
  const ids: DicomIds = { ...FIXTURE_IDS, ...overrides };
  return {
    '00080018': el('UI', ids.sop_instance_uid),
    '00080050': el('SH', ids.accession_number),
    '00080060': el('CS', ids.modality),
    '00100010': el('PN', { Alphabetic: 'Doe^Jane' }),
    '00100020': el('LO', FIXTURE_PATIENT_ID),
    '00100030': el('DA', '19700101'),
    '00180015': el('CS', ids.body_part_examined),
    '0020000D': el('UI', ids.study_instance_uid),
    '0020000E': el('UI', ids.series_instance_uid),
  };
}

export function writeDicom(f: DicomFixture): Uint8Array {
  const samples = f.samplesPerPixel ?? 3;
  const bits = f.bitsAllocated ?? 8;
  const meta: DicomElements = {
    '00020001': el('OB', new Uint8Array([0, 1]).buffer),
    '00020002': el('UI', VL_PHOTOGRAPHIC),
    '00020003': el('UI', f.ids?.sop_instance_uid ?? FIXTURE_IDS.sop_instance_uid),
    '00020010': el('UI', f.transferSyntax),
    '00020012': el('UI', '1.2.826.0.1.3680043.8.498.1'),
  };
  const image: DicomElements = {
    '00080016': el('UI', VL_PHOTOGRAPHIC),
    '00280002': el('US', samples),
    '00280004': el('CS', f.photometric ?? (samples === 3 ? 'RGB' : 'MONOCHROME2')),
    ...(samples === 3 ? { '00280006': el('US', f.planarConfiguration ?? 0) } : {}),
    ...(f.frames ? { '00280008': el('IS', String(f.frames)) } : {}),
    '00280010': el('US', f.rows),
    '00280011': el('US', f.columns),
    '00280100': el('US', bits),
    '00280101': el('US', bits),
    '00280102': el('US', bits - 1),
    '00280103': el('US', 0),
    '7FE00010': { vr: bits > 8 ? 'OW' : 'OB', Value: f.pixelData.map(arrayBuffer) },
  };
  const file = new dcmjs.DicomDict(meta);
  file.dict = { ...(f.anonymous ? {} : identifiers(f.ids)), ...image };
  return new Uint8Array(file.write());
}

/** A JPEG file's bytes as the single frame of a JPEG Baseline DICOM. */
export function wrapJpeg(
  jpeg: Uint8Array,
  rows: number,
  columns: number,
  samples = 3,
  ids?: Partial<DicomIds>,
): Uint8Array {
  return writeDicom({
    transferSyntax: SYNTAX.jpegBaseline,
    rows,
    columns,
    samplesPerPixel: samples,
    photometric: samples === 3 ? 'YBR_FULL_422' : 'MONOCHROME2',
    pixelData: [jpeg],
    ids,
  });
}

/** Interleaved RGB (HWC) as the planes PlanarConfiguration 1 stores: all R, then G, then B. */
export function toPlanes(rgb: Uint8Array): Uint8Array {
  const pixels = rgb.length / 3;
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < pixels; i++) {
    out[i] = rgb[i * 3];
    out[pixels + i] = rgb[i * 3 + 1];
    out[2 * pixels + i] = rgb[i * 3 + 2];
  }
  return out;
}
