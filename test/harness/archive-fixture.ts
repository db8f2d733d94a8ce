import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeImage, sha256 } from './batch-api';

export interface ArchiveImage {
  relPath: string;
  sha256: string;
  /** Truncated on purpose: passes the upload checks, fails full decoding (invalid_image). */
  corrupt: boolean;
}

export interface Archive {
  root: string;
  images: ArchiveImage[];
  /** Files that must be skipped, by why. */
  skipped: Record<string, string[]>;
  /** relPath -> accession number (the manifest's rows). */
  accessions: Map<string, string>;
}

const write = async (path: string, bytes: Buffer | string): Promise<void> => {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
};

/**
 * A hospital-like archive: nested year/site folders with repeated names (IMG_0001.jpg in many
 * folders), JPEGs and PNGs of distinct content, some exact duplicates, one truncated JPEG, and
 * the clutter a real archive has (notes, a PDF, an HEIC, an empty file, hidden and system files).
 */
export async function writeArchive(root: string, count: number, seedBase = 10_000): Promise<Archive> {
  const images: ArchiveImage[] = [];
  const perFolder = 20;
  for (let i = 0; i < count; i++) {
    const folder = `${2015 + (Math.floor(i / perFolder) % 6)}/${['derm', 'clin', 'misc/older'][Math.floor(i / (perFolder * 6)) % 3]}/set-${Math.floor(i / (perFolder * 18))}`;
    const png = i % 7 === 3;
    const relPath = `${folder}/IMG_${String((i % perFolder) + 1).padStart(4, '0')}.${png ? 'png' : 'jpg'}`;
    const bytes = await makeImage(seedBase + i, png ? 'png' : 'jpeg', 16 + (i % 5) * 4);
    await write(join(root, relPath), bytes);
    images.push({ relPath, sha256: sha256(bytes), corrupt: false });
  }
  // Exact duplicates of earlier images under other names.
  for (let i = 0; i < Math.min(8, Math.floor(count / 3)); i++) {
    const source = images[i * 3];
    const relPath = `duplicates/copy of ${source.relPath.replace(/\//g, '_')}`;
    const bytes = await makeImage(
      seedBase + i * 3,
      source.relPath.endsWith('.png') ? 'png' : 'jpeg',
      16 + ((i * 3) % 5) * 4,
    );
    await write(join(root, relPath), bytes);
    images.push({ relPath, sha256: sha256(bytes), corrupt: false });
  }
  const whole = await makeImage(seedBase - 1, 'jpeg', 64);
  const corrupt = whole.subarray(0, Math.floor(whole.length / 2));
  await write(join(root, 'broken/IMG_0001.jpg'), corrupt);
  images.push({ relPath: 'broken/IMG_0001.jpg', sha256: sha256(corrupt), corrupt: true });

  const skipped: Record<string, string[]> = {
    not_image: ['2019/derm/notes.txt', 'README'],
    pdf: ['2019/report.pdf'],
    heic: ['2020/IMG_0001.HEIC'],
    empty: ['2016/empty.jpg'],
    hidden: ['2019/derm/._IMG_0001.jpg', '.hidden/IMG_0001.jpg', '.dermafleet-cache'],
    system: ['.DS_Store', 'Thumbs.db', '2019/desktop.ini'],
  };
  await write(join(root, '2019/derm/notes.txt'), 'patient list, do not upload');
  await write(join(root, 'README'), 'archive exported 2021');
  await write(join(root, '2019/report.pdf'), '%PDF-1.4\n%...');
  await write(
    join(root, '2020/IMG_0001.HEIC'),
    Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(16)]),
  );
  await write(join(root, '2016/empty.jpg'), Buffer.alloc(0));
  for (const path of [...skipped.hidden, ...skipped.system])
    await write(join(root, path), await makeImage(1, 'jpeg'));

  const accessions = new Map(
    images.filter((_, i) => i % 10 === 0).map((img, i) => [img.relPath, `ACC-${1000 + i}`]),
  );
  return { root, images, skipped, accessions };
}
