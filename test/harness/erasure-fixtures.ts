import { join } from 'node:path';
import sharp from 'sharp';
import { fixturesDir } from './test-env';

/** A distinct image per seed: a crop of a fixture photograph at a seed-dependent offset. */
export async function photo(seed: number): Promise<Buffer> {
  return sharp(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg'))
    .extract({ left: 40 + seed * 13, top: 30 + seed * 7, width: 96, height: 96 })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** One entry of GET /v1/audit. */
export interface AuditEntry {
  id: string;
  action: string;
  at: string;
  actor: { api_key_id: string };
  subject_digest: string;
  counts: { predictions: number; images_released: number };
}
