import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { type DicomIds, wrapJpeg } from '../../libs/inference/src/preprocess/dicom-fixture.testing';

/** `../shared/fixtures/images` beside the checkout (read-only). */
const FIXTURE_IMAGES = resolve(__dirname, '..', '..', '..', 'shared', 'fixtures', 'images');
const SOURCES = [
  'dermoscopy_2048x1536.jpg',
  'clinical_800x600.png',
  'grey_300x400.jpg',
  'palette_640x480.png',
  'rgba_200x150.png',
  'exact_384x384.webp',
];

export type FileKind = 'jpeg' | 'png' | 'dicom' | 'dicom-no-ext';
export const FILE_KINDS: readonly FileKind[] = ['jpeg', 'png', 'dicom', 'dicom-no-ext'];

export interface ArchiveFile {
  /** Relative to the archive root, `/`-separated: the prediction's filename. */
  path: string;
  kind: FileKind;
  bytes: number;
  /** The identifiers written into a DICOM file (undefined for JPEG and PNG). */
  dicom?: DicomIds;
}

export interface MixedArchive {
  files: ArchiveFile[];
  bytes: number;
  byKind: Record<FileKind, number>;
}

/** 40% JPEG, 20% PNG, 20% DICOM `.dcm`, 20% DICOM without extension, interleaved. */
const kindOf = (i: number): FileKind => (['jpeg', 'jpeg', 'png', 'dicom', 'dicom-no-ext'] as const)[i % 5];

interface Source {
  pixels: Buffer;
  width: number;
  height: number;
}

/** Each fixture decoded once to 8-bit RGB, at most 512 pixels wide: crops come from these. */
async function loadSources(): Promise<Source[]> {
  return Promise.all(
    SOURCES.map(async (name) => {
      const { data, info } = await sharp(join(FIXTURE_IMAGES, name))
        .resize({ width: 512, withoutEnlargement: true })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { pixels: data, width: info.width, height: info.height };
    }),
  );
}

/** A deterministic pseudo-random integer stream per file (xorshift32). */
function randomOf(seed: number): (below: number) => number {
  let x = (seed * 2654435761 + 0x9e3779b9) >>> 0 || 1;
  return (below) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % below;
  };
}

/**
 * A crop of a fixture at a size, position and encoder quality of its own: `attempt` changes
 * them when the bytes happen to equal an earlier file's.
 */
async function encode(
  sources: Source[],
  i: number,
  attempt: number,
  format: 'jpeg' | 'png',
): Promise<{ bytes: Buffer; width: number; height: number }> {
  const rnd = randomOf(i * 31 + attempt * 7919 + 1);
  const src = sources[i % sources.length];
  const cropW = Math.min(src.width, 48 + rnd(Math.max(1, src.width - 48)));
  const cropH = Math.min(src.height, 48 + rnd(Math.max(1, src.height - 48)));
  const left = rnd(src.width - cropW + 1);
  const top = rnd(src.height - cropH + 1);
  const width = 48 + rnd(112);
  const height = 48 + rnd(112);
  const image = sharp(src.pixels, { raw: { width: src.width, height: src.height, channels: 3 } })
    .extract({ left, top, width: cropW, height: cropH })
    .resize(width, height, { fit: 'fill' });
  const bytes =
    format === 'png'
      ? await image.png({ compressionLevel: rnd(10) }).toBuffer()
      : await image.jpeg({ quality: 60 + rnd(36) }).toBuffer();
  return { bytes, width, height };
}

interface Candidate {
  i: number;
  kind: FileKind;
  bytes: Buffer;
  dicom?: DicomIds;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** In folders of 100, named as cameras (`IMG_…`) and PACS exports (`IM_…`, often no extension) do. */
function pathOf(i: number, kind: FileKind): string {
  const n = String(i + 1).padStart(5, '0');
  const name = { jpeg: `IMG_${n}.jpg`, png: `IMG_${n}.png`, dicom: `IM_${n}.dcm`, 'dicom-no-ext': `IM_${n}` };
  return `site-${Math.floor(i / 1000)}/day-${Math.floor(i / 100) % 10}/${name[kind]}`;
}

/** Identifiers of file `i` (valid UIDs: digits and dots): 10 images a series, 5 series a study. */
function dicomIds(run: number, i: number): DicomIds {
  const root = `1.2.826.0.1.3680043.8.498.${run}`;
  const study = `${root}.${Math.floor(i / 50) + 1}`;
  const series = `${study}.${Math.floor(i / 10) + 1}`;
  return {
    study_instance_uid: study,
    series_instance_uid: series,
    sop_instance_uid: `${series}.${i + 1}`,
    accession_number: `ACC-${Math.floor(i / 50) + 1}`,
    modality: 'XC',
    body_part_examined: 'SKIN',
  };
}

/**
 * `count` distinct files (no two share bytes: a repeat of an earlier sha256 is re-encoded with
 * other crop and quality) in folders of 100, from the shared fixtures: JPEG `.jpg`, PNG `.png`,
 * DICOM wrapping a JPEG as `.dcm` and without extension (the way PACS exports name them), each
 * DICOM with UIDs of its own. `run` makes the UIDs of this run distinct from other runs'.
 */
export async function writeMixedArchive(root: string, count: number, run: number): Promise<MixedArchive> {
  const sources = await loadSources();
  const candidate = async (i: number, attempt: number): Promise<Candidate> => {
    const kind = kindOf(i);
    const image = await encode(sources, i, attempt, kind === 'png' ? 'png' : 'jpeg');
    if (kind !== 'dicom' && kind !== 'dicom-no-ext') return { i, kind, bytes: image.bytes };
    const dicom = dicomIds(run, i);
    return { i, kind, dicom, bytes: Buffer.from(wrapJpeg(image.bytes, image.height, image.width, 3, dicom)) };
  };
  const seen = new Set<string>();
  const archive: MixedArchive = {
    files: [],
    bytes: 0,
    byKind: { jpeg: 0, png: 0, dicom: 0, 'dicom-no-ext': 0 },
  };
  // Each chunk is encoded concurrently (sharp's threads), then checked for repeats in order.
  for (let start = 0; start < count; start += 32) {
    const chunk = Array.from({ length: Math.min(32, count - start) }, (_, k) => candidate(start + k, 0));
    for (let c of await Promise.all(chunk)) {
      for (let attempt = 1; seen.has(sha256(c.bytes)); attempt++) c = await candidate(c.i, attempt);
      seen.add(sha256(c.bytes));
      const path = pathOf(c.i, c.kind);
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), c.bytes);
      archive.files.push({ path, kind: c.kind, bytes: c.bytes.length, dicom: c.dicom });
      archive.byKind[c.kind]++;
      archive.bytes += c.bytes.length;
    }
  }
  return archive;
}
