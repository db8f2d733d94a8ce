import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYNTAX, writeDicom } from '@dermafleet/inference/preprocess/dicom-fixture.testing';
import { sniffFile } from './file-sniff';

/** A 4x4 8-bit MONOCHROME2 DICOM file, uncompressed. */
const tinyMonochromeDicom = () =>
  writeDicom({
    transferSyntax: SYNTAX.explicitLittle,
    rows: 4,
    columns: 4,
    samplesPerPixel: 1,
    pixelData: [new Uint8Array(16)],
  });

/** Archives often hold DICOM files without an extension: `submit` goes by content. */
describe('sniffFile and DICOM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-sniff-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a DICOM file without an extension as application/dicom', async () => {
    const path = join(dir, 'IM000001');
    const dicom = tinyMonochromeDicom();
    writeFileSync(path, dicom);
    expect(await sniffFile(path)).toEqual({ kind: 'image', contentType: 'application/dicom' });
  });

  it('takes a DICOM preamble holding a TIFF header (dual-personality files) as DICOM', async () => {
    const path = join(dir, 'dual.tif');
    const dicom = tinyMonochromeDicom();
    dicom.set([0x49, 0x49, 0x2a, 0x00], 0);
    writeFileSync(path, dicom);
    expect(await sniffFile(path)).toEqual({ kind: 'image', contentType: 'application/dicom' });
  });
});
