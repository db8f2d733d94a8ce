import sharp from 'sharp';

/**
 * The colour overlay of an occlusion map, as a PNG of `size` x `size`: red where occluding a
 * patch lowered the explained class's probability (the model relied on it), blue where it raised
 * it, transparent where it changed nothing; opacity proportional to the change, scaled to the
 * largest change in this map (so maps of different images are not comparable by colour alone).
 * Nearest-neighbour upscaling on purpose: the map knows nothing finer than one patch.
 */
export async function overlayPng(map: number[][], size: number): Promise<Buffer> {
  const rows = map.length;
  const cols = map[0]?.length ?? 0;
  const peak = Math.max(1e-9, ...map.flat().map(Math.abs));
  const rgba = Buffer.alloc(rows * cols * 4);
  map.flat().forEach((value, i) => {
    const strength = Math.min(1, Math.abs(value) / peak);
    const [r, g, b] = value >= 0 ? [255, Math.round(200 * (1 - strength)), 0] : [0, 90, 255];
    rgba.set([r, g, b, Math.round(220 * strength)], i * 4);
  });
  return sharp(rgba, { raw: { width: cols, height: rows, channels: 4 } })
    .resize(size, size, { kernel: 'nearest' })
    .png()
    .toBuffer();
}
