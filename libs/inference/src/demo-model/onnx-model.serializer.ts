import { FileHandle } from 'node:fs/promises';
import { writeAll, writeFileAtomically } from './atomic-file';
import { BYTES_PER_ELEMENT, InitializerSpec, OnnxGraphSpec } from './onnx-graph.builder';
import { initializerElements } from './tensor-data';
import { ONNX_FIELD, ONNX_IR_VERSION, ONNX_OPSET, onnxTypes } from './onnx-proto.schema';

/** Protobuf refuses messages of 2 GiB or more (lengths are signed 32-bit in its parsers). */
const PROTOBUF_MAX_BYTES = 2 ** 31 - 1;
const WIRE_TYPE_LENGTH_DELIMITED = 2;

export interface OnnxModelInfo {
  producerName: string;
  producerVersion: string;
  docString: string;
  metadata: Record<string, string>;
}

/** A protobuf base-128 varint for a non-negative integer below 2^53. */
function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push(rest % 0x80 | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

/** The key and length that open a length-delimited field (a sub-message or bytes). */
function fieldHeader(fieldNumber: number, length: number): Uint8Array {
  return Buffer.concat([varint((fieldNumber << 3) | WIRE_TYPE_LENGTH_DELIMITED), varint(length)]);
}

/**
 * One initialiser, framed as GraphProto.initializer: its TensorProto without data (encoded by
 * protobufjs) followed by a raw_data field framed by hand, so the data itself never passes
 * through protobufjs and is produced only when it is written.
 */
interface FramedInitializer {
  prefix: Uint8Array;
  dataLength: number;
  totalLength: number;
  spec: InitializerSpec;
}

function frameInitializer(spec: InitializerSpec): FramedInitializer {
  const meta = onnxTypes.TensorProto.encode({
    name: spec.name,
    dims: [...spec.dims],
    data_type: spec.dataType,
  }).finish();
  const dataLength = initializerElements(spec) * BYTES_PER_ELEMENT[spec.dataType];
  const rawDataHeader = fieldHeader(ONNX_FIELD.tensorRawData, dataLength);
  const tensorLength = meta.byteLength + rawDataHeader.byteLength + dataLength;
  const prefix = Buffer.concat([fieldHeader(ONNX_FIELD.graphInitializer, tensorLength), meta, rawDataHeader]);
  return { prefix, dataLength, totalLength: prefix.byteLength + dataLength, spec };
}

async function writeInitializer(handle: FileHandle, framed: FramedInitializer): Promise<void> {
  const data = framed.spec.data();
  if (data.byteLength !== framed.dataLength) {
    throw new Error(
      `initializer ${framed.spec.name}: ${data.byteLength} bytes, expected ${framed.dataLength}`,
    );
  }
  await writeAll(handle, framed.prefix);
  await writeAll(handle, data);
}

/**
 * Writes a ModelProto to `path` (atomically) without ever holding the whole model in memory.
 * Protobuf lets a message's fields come in any order and repeated fields be split, so the file
 * is: the ModelProto fields other than `graph`, then the `graph` field whose length is computed
 * up front, holding the GraphProto without initialisers followed by each initialiser in turn.
 * Peak memory is one tensor (16 MB for ViT-L's largest). Returns the file's size in bytes.
 */
export async function writeOnnxModel(
  path: string,
  graph: OnnxGraphSpec,
  info: OnnxModelInfo,
): Promise<number> {
  const modelHead = onnxTypes.ModelProto.encode({
    ir_version: ONNX_IR_VERSION,
    producer_name: info.producerName,
    producer_version: info.producerVersion,
    doc_string: info.docString,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    metadata_props: Object.entries(info.metadata).map(([key, value]) => ({ key, value })),
  }).finish();
  const graphHead = onnxTypes.GraphProto.encode({
    name: graph.name,
    node: graph.nodes,
    input: graph.inputs,
    output: graph.outputs,
  }).finish();
  const framed = graph.initializers.map(frameInitializer);
  const graphLength = framed.reduce((sum, f) => sum + f.totalLength, graphHead.byteLength);
  const graphFieldHeader = fieldHeader(ONNX_FIELD.modelGraph, graphLength);
  const fileLength = modelHead.byteLength + graphFieldHeader.byteLength + graphLength;
  if (fileLength > PROTOBUF_MAX_BYTES) {
    throw new Error(`model would be ${fileLength} bytes, over protobuf's 2 GiB limit`);
  }

  await writeFileAtomically(path, async (handle) => {
    await writeAll(handle, Buffer.concat([modelHead, graphFieldHeader, graphHead]));
    for (const f of framed) await writeInitializer(handle, f);
  });
  return fileLength;
}
