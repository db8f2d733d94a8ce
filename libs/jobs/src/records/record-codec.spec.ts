import { objectKeys } from '@dermafleet/storage';
import type { ImageInfo, PredictionResult } from '../prediction.types';
import {
  decodeImage,
  decodeImageKey,
  decodePriority,
  decodeResult,
  encodeImage,
  encodeImageKey,
  encodePriority,
  encodeResult,
  modelRef,
  resultModelRef,
  type ModelLabels,
} from './record-codec';

const VERSION = `sha256:${'3f1d0a6b7c9e2f4a'.repeat(4)}`;
const LABELS = Array.from({ length: 12 }, (_, i) => `class ${i} with a long clinical name`);
const MODEL: ModelLabels = { id: 'dermafleet-demo-vit-tiny', version: VERSION, labels: LABELS };

function result(
  probabilities: number[],
  top: number,
  extra: Partial<PredictionResult> = {},
): PredictionResult {
  return {
    label: LABELS[top],
    confidence: probabilities[top],
    probabilities: LABELS.map((label, i) => ({ label, probability: probabilities[i] })),
    model: { id: MODEL.id, version: VERSION },
    preprocessing: { mode: 'exact', auto_orient: false },
    cached: false,
    ...extra,
  };
}

/** Softmax-like numbers with every bit used (what the worker writes). */
function probabilities(seed: number): number[] {
  const raw = LABELS.map((_, i) => Math.exp(Math.sin(seed * 7.1 + i * 1.3) * 3));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => v / sum);
}

describe('compact record values', () => {
  const models = (ref: string): ModelLabels => {
    expect(ref).toBe(modelRef(VERSION));
    return MODEL;
  };

  it('gives back every probability bit for bit, and the same label, confidence and flags', () => {
    for (let seed = 0; seed < 50; seed++) {
      const p = probabilities(seed);
      const top = p.indexOf(Math.max(...p));
      for (const extra of [
        {},
        { cached: true },
        { preprocessing: { mode: 'fast' as const, auto_orient: true } },
      ]) {
        const original = result(p, top, extra);
        const encoded = encodeResult(original);
        expect(encoded.startsWith('~')).toBe(true);
        expect(encoded.length).toBeLessThan(JSON.stringify(original).length / 5);
        expect(resultModelRef(encoded)).toBe(modelRef(VERSION));
        expect(decodeResult(encoded, models)).toEqual(original);
      }
    }
  });

  it('takes the lowest index on ties, like the worker', () => {
    const p = [0.25, 0.25, 0.5, ...Array(9).fill(0)].map((v) => v as number);
    p[2] = 0.25;
    p[3] = 0.25;
    const original = result(p, 0);
    expect(decodeResult(encodeResult(original), models)).toEqual(original);
  });

  it('keeps JSON for a result whose label is not the arg-max, and reads JSON written before', () => {
    const odd = result(probabilities(1), 5);
    odd.label = LABELS[(LABELS.indexOf(odd.label) + 1) % 12];
    const encoded = encodeResult(odd);
    expect(encoded.startsWith('{')).toBe(true);
    expect(resultModelRef(encoded)).toBeNull();
    expect(decodeResult(encoded, models)).toEqual(odd);
  });

  it('packs the image header under 64 bytes and reads the JSON layout too', () => {
    const image: ImageInfo = {
      sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      bytes: 52_428_800,
      width: 25_000,
      height: 4_000,
      format: 'jpeg',
    };
    const encoded = encodeImage(image);
    expect(encoded.length).toBeLessThanOrEqual(64);
    expect(decodeImage(encoded)).toEqual(image);
    expect(decodeImage(JSON.stringify(image))).toEqual(image);
  });
});

describe('image key and priority', () => {
  const sha = 'ab'.repeat(32);

  it('leaves out the content address libs/storage stores every image under, and reads it back', () => {
    const key = objectKeys.image('tenant_a', sha);
    expect(encodeImageKey(key, 'tenant_a', sha)).toBe('');
    expect(decodeImageKey(undefined, 'tenant_a', sha)).toBe(key);
  });

  it('keeps any other key, and reads the form records written before 2026-11 hold', () => {
    expect(encodeImageKey(`legacy/${sha}`, 'tenant_a', sha)).toBe('legacy/*');
    expect(decodeImageKey('legacy/*', 'tenant_a', sha)).toBe(`legacy/${sha}`);
    expect(decodeImageKey('images/tenant_a/*', 'tenant_a', sha)).toBe(objectKeys.image('tenant_a', sha));
    expect(encodeImageKey('elsewhere/x.jpg', 'tenant_a', sha)).toBe('elsewhere/x.jpg');
    expect(decodeImageKey('elsewhere/x.jpg', 'tenant_a', sha)).toBe('elsewhere/x.jpg');
  });

  it('leaves out bulk, the priority of every batch item', () => {
    expect(encodePriority('bulk')).toBe('');
    expect(decodePriority(undefined)).toBe('bulk');
    expect(encodePriority('interactive')).toBe('interactive');
    expect(decodePriority('interactive')).toBe('interactive');
    expect(decodePriority('bulk')).toBe('bulk'); // records written before 2026-11
  });
});
