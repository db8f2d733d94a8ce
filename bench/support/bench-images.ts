import sharp from 'sharp';
import { syntheticRgb } from '../../libs/inference/src/preprocess/test-images';

/** JPEGs of the model's input size (384x384), each from its own seed: decoding has real work. */
export async function modelSizeJpegs(count: number, distinct = count): Promise<Buffer[]> {
  const base: Buffer[] = [];
  for (let i = 0; i < Math.min(count, distinct); i++) {
    const { rgb } = syntheticRgb(384, 384, 7000 + i);
    base.push(
      await sharp(Buffer.from(rgb), { raw: { width: 384, height: 384, channels: 3 } })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
  }
  // Beyond `distinct`, reuse pixels but make every file's bytes (and sha256) unique with a trailer
  // after the JPEG's end marker: decoders ignore it, and no dedupe can skip the work.
  return Array.from({ length: count }, (_, i) => {
    const bytes = base[i % base.length];
    if (i < base.length) return bytes;
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32BE(i);
    return Buffer.concat([bytes, trailer]);
  });
}
