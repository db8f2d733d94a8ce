/**
 * A small deterministic PRNG, so the same seed gives byte-identical demo weights on every
 * machine and Node version (Math.random cannot be seeded). mulberry32 is 32-bit integer maths
 * only (imul), which JavaScript evaluates identically everywhere; Box-Muller turns its
 * uniforms into normals using Math.log/sqrt/cos, whose results Float32 rounding makes stable
 * in practice across V8 versions.
 */

// Bound once per module: inside a vm context (Jest's test realm) every `Math.x` is a lookup on
// an intercepted global object, which made generating weights ~20x slower there.
const { imul, log, sqrt, sin, cos, PI } = Math;

export class SeededRandom {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution (mulberry32). */
  nextUniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller; each pair of uniforms gives two normals). */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    // 1 - u keeps the logarithm's argument in (0, 1]: log(0) would be -Infinity.
    const radius = sqrt(-2 * log(1 - this.nextUniform()));
    const angle = 2 * PI * this.nextUniform();
    this.spareNormal = radius * sin(angle);
    return radius * cos(angle);
  }

  /** Fills `out` with normals of the given standard deviation. */
  fillNormal(out: Float32Array, std: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.nextNormal() * std;
    return out;
  }
}

/**
 * A per-tensor seed from the model seed and the tensor's name (FNV-1a), so each tensor's values
 * depend only on (seed, name) and not on the order tensors are generated or written in.
 */
export function tensorSeed(modelSeed: number, tensorName: string): number {
  let hash = 0x811c9dc5;
  const mix = (byte: number): void => {
    hash = imul(hash ^ byte, 0x01000193) >>> 0;
  };
  // All four bytes of the seed go through the hash, so nearby seeds give unrelated streams.
  for (let shift = 0; shift < 32; shift += 8) mix((modelSeed >>> shift) & 0xff);
  for (let i = 0; i < tensorName.length; i++) {
    const code = tensorName.charCodeAt(i);
    mix(code & 0xff);
    mix(code >>> 8);
  }
  return hash;
}
