import { endianness } from 'node:os';
import { InitializerSpec } from './onnx-graph.builder';
import { OnnxDataType } from './onnx-proto.schema';
import { SeededRandom, tensorSeed } from './seeded-random';

// ONNX raw_data is little-endian; typed arrays use the host's order. Every platform Node and
// ONNX Runtime ship for is little-endian, so viewing a typed array's memory directly is correct
// and avoids a copy per tensor; refuse loudly rather than write a corrupt model elsewhere.
if (endianness() !== 'LE') throw new Error('the demo-model writer needs a little-endian host');

function bytesOf(view: Float32Array | BigInt64Array | Uint16Array): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function elementCount(dims: readonly number[]): number {
  return dims.reduce((count, dim) => count * dim, 1);
}

/** Learned weights drawn from N(0, std²), from a stream that depends only on (seed, name). */
export function normalWeights(
  name: string,
  dims: readonly number[],
  std: number,
  seed: number,
): InitializerSpec {
  return {
    name,
    dims,
    dataType: OnnxDataType.FLOAT,
    isParameter: true,
    data: () =>
      bytesOf(new SeededRandom(tensorSeed(seed, name)).fillNormal(new Float32Array(elementCount(dims)), std)),
  };
}

/** Learned weights with one value everywhere (LayerNorm gains of 1, biases of 0, as HF initialises them). */
export function constantWeights(name: string, dims: readonly number[], value: number): InitializerSpec {
  return {
    name,
    dims,
    dataType: OnnxDataType.FLOAT,
    isParameter: true,
    data: () => bytesOf(new Float32Array(elementCount(dims)).fill(value)),
  };
}

/** A float32 scalar constant (dims []), e.g. GELU's sqrt(2) or attention's scale. */
export function floatScalar(name: string, value: number): InitializerSpec {
  return {
    name,
    dims: [],
    dataType: OnnxDataType.FLOAT,
    isParameter: false,
    data: () => bytesOf(new Float32Array([value])),
  };
}

/** An int64 constant: a shape for Reshape/Expand, or an index for Gather/Slice. */
export function int64Constant(
  name: string,
  values: readonly number[],
  dims: readonly number[] = [values.length],
): InitializerSpec {
  return {
    name,
    dims,
    dataType: OnnxDataType.INT64,
    isParameter: false,
    data: () => bytesOf(BigInt64Array.from(values, (v) => BigInt(v))),
  };
}

/** Number of elements an initialiser holds (for parameter counts and byte sizes). */
export function initializerElements(spec: InitializerSpec): number {
  return elementCount(spec.dims);
}
