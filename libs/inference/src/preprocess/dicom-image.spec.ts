import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toPreprocessorSpec } from '../model/preprocessor-spec';
import { decodeRgb } from './decode-rgb';
import { readDicomIdentifiers } from './dicom-identifiers';
import {
  FIXTURE_IDS,
  FIXTURE_PATIENT_ID,
  SYNTAX,
  toPlanes,
  wrapJpeg,
  writeDicom,
} from './dicom-fixture.testing';
import { preprocessImage } from './preprocess';
import { ImageTooLargeError, UnsupportedImageFormatError } from './preprocess.errors';
import { sharedFixturesDir } from './preprocess.fixtures';
import { probeImage } from './probe-image';

/**
 * DICOM input (issue 14): a DICOM wrapping a JPEG gives that JPEG's reference pixel_values bit
 * for bit; uncompressed 8-bit pixels are taken as they are; every other syntax is refused by
 * name. The DICOM files are written here by dcmjs around shared/fixtures images.
 */
const dir = sharedFixturesDir();
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<
  string,
  { pixel_values_sha256: string }
>;
const spec = toPreprocessorSpec(
  JSON.parse(readFileSync(join(dir, 'model/preprocessor_config.json'), 'utf8')),
);
const image = (name: string) => new Uint8Array(readFileSync(join(dir, 'images', name)));

async function pixelSha(bytes: Uint8Array): Promise<string> {
  const { data } = await preprocessImage(bytes, spec);
  return createHash('sha256')
    .update(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');
}

describe('DICOM wrapping a JPEG (JPEG Baseline / Extended)', () => {
  it.each([
    ['dermoscopy_2048x1536.jpg', 1536, 2048, 3],
    // 29053 bytes: the fragment gets a padding byte the JPEG file does not have.
    ['grey_300x400.jpg', 400, 300, 1],
  ])('%s: pixel_values sha256 equals the reference for the JPEG', async (name, rows, columns, samples) => {
    const dicom = wrapJpeg(image(name), rows, columns, samples);
    expect(probeImage(dicom)).toEqual({ format: 'dicom', width: columns, height: rows });
    expect(await pixelSha(dicom)).toBe(expected[name].pixel_values_sha256);
    expect((await preprocessImage(dicom, spec)).source).toEqual({
      format: 'dicom',
      width: columns,
      height: rows,
    });
  });

  it('JPEG Extended gives the same, and a multi-frame file gives its first frame', async () => {
    const grey = image('grey_300x400.jpg');
    const dermoscopy = image('dermoscopy_2048x1536.jpg');
    const extended = writeDicom({
      transferSyntax: SYNTAX.jpegExtended,
      rows: 400,
      columns: 300,
      samplesPerPixel: 1,
      photometric: 'MONOCHROME2',
      pixelData: [grey],
    });
    expect(await pixelSha(extended)).toBe(expected['grey_300x400.jpg'].pixel_values_sha256);
    const twoFrames = writeDicom({
      transferSyntax: SYNTAX.jpegBaseline,
      rows: 400,
      columns: 300,
      samplesPerPixel: 1,
      photometric: 'MONOCHROME2',
      frames: 2,
      pixelData: [grey, dermoscopy],
    });
    expect(await pixelSha(twoFrames)).toBe(expected['grey_300x400.jpg'].pixel_values_sha256);
  });
});

describe('uncompressed DICOM: the pixels as they are', () => {
  it('RGB interleaved (explicit VR) and planar (implicit VR) equal the PNG they came from', async () => {
    const png = image('clinical_800x600.png');
    const { rgb, width, height } = await decodeRgb(png);
    const interleaved = writeDicom({
      transferSyntax: SYNTAX.explicitLittle,
      rows: height,
      columns: width,
      pixelData: [rgb],
    });
    const planar = writeDicom({
      transferSyntax: SYNTAX.implicitLittle,
      rows: height,
      columns: width,
      planarConfiguration: 1,
      pixelData: [toPlanes(rgb)],
    });
    const want = expected['clinical_800x600.png'].pixel_values_sha256;
    expect(await pixelSha(interleaved)).toBe(want);
    expect(await pixelSha(planar)).toBe(want);
  });

  it('MONOCHROME2 is replicated to RGB like PIL convert("RGB")', async () => {
    const decoded = await decodeRgb(image('grey_300x400.jpg'));
    const grey = decoded.rgb.filter((_, i) => i % 3 === 0);
    const dicom = writeDicom({
      transferSyntax: SYNTAX.explicitLittle,
      rows: decoded.height,
      columns: decoded.width,
      samplesPerPixel: 1,
      pixelData: [grey],
    });
    expect(await pixelSha(dicom)).toBe(expected['grey_300x400.jpg'].pixel_values_sha256);
  });

  it('Rows x Columns count against the pixel limit before any pixel is read', async () => {
    const dicom = writeDicom({
      transferSyntax: SYNTAX.explicitLittle,
      rows: 64,
      columns: 64,
      samplesPerPixel: 1,
      pixelData: [new Uint8Array(64 * 64)],
    });
    await expect(decodeRgb(dicom, { maxPixels: 64 * 63 })).rejects.toBeInstanceOf(ImageTooLargeError);
  });
});

describe('refused DICOM names its transfer syntax', () => {
  const frame = [new Uint8Array(64).fill(7)];
  it.each([
    [SYNTAX.jpeg2000, 'JPEG 2000'],
    [SYNTAX.rle, 'RLE Lossless'],
    ['1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless'],
  ])('%s (%s) at the header probe and at decode', async (uid, name) => {
    const dicom = writeDicom({ transferSyntax: uid, rows: 8, columns: 8, pixelData: frame });
    const probe = () => probeImage(dicom);
    expect(probe).toThrow(UnsupportedImageFormatError);
    expect(probe).toThrow(`${name} (${uid})`);
    await expect(decodeRgb(dicom)).rejects.toThrow(`${name} (${uid})`);
  });

  it('16-bit uncompressed pixels are refused, naming the syntax', () => {
    const dicom = writeDicom({
      transferSyntax: SYNTAX.explicitLittle,
      rows: 8,
      columns: 8,
      samplesPerPixel: 1,
      bitsAllocated: 16,
      pixelData: [new Uint8Array(128)],
    });
    expect(() => probeImage(dicom)).toThrow(/16-bit pixels is not supported/);
    expect(() => probeImage(dicom)).toThrow('Explicit VR Little Endian (1.2.840.10008.1.2.1)');
  });
});

describe('DICOM identifiers', () => {
  const dicom = wrapJpeg(image('grey_300x400.jpg'), 400, 300, 1);

  it('are read from the header alone (the first bytes, up to the Pixel Data)', () => {
    const head = dicom.subarray(0, 2048);
    expect(probeImage(head)).toEqual({ format: 'dicom', width: 300, height: 400 });
    expect(readDicomIdentifiers(head)).toEqual({ identifiers: FIXTURE_IDS, patientId: FIXTURE_PATIENT_ID });
  });

  it('leaves out what the file does not have', () => {
    const anonymous = writeDicom({
      transferSyntax: SYNTAX.jpegBaseline,
      rows: 400,
      columns: 300,
      pixelData: [image('grey_300x400.jpg')],
      anonymous: true,
    });
    expect(readDicomIdentifiers(anonymous)).toEqual({ identifiers: {}, patientId: undefined });
  });
});
