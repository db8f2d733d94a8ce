import {
  AttributeProtoObject,
  NodeProtoObject,
  OnnxAttributeType,
  OnnxDataType,
  ValueInfoProtoObject,
} from './onnx-proto.schema';

/**
 * A graph initialiser whose bytes are produced only when it is written. Holding closures
 * instead of data is what lets the serialiser stream a 1.2 GB model one tensor at a time.
 */
export interface InitializerSpec {
  name: string;
  dataType: OnnxDataType;
  dims: readonly number[];
  /** Learned weights count towards the model's parameter total; shape constants do not. */
  isParameter: boolean;
  /** Little-endian element bytes, row-major; called once, when the tensor is written. */
  data: () => Uint8Array;
}

/** A graph with its initialisers kept separate (and lazy), as the serialiser wants it. */
export interface OnnxGraphSpec {
  name: string;
  nodes: NodeProtoObject[];
  inputs: ValueInfoProtoObject[];
  outputs: ValueInfoProtoObject[];
  initializers: InitializerSpec[];
}

export type AttributeValue = { int: number } | { ints: readonly number[] } | { float: number };

export const BYTES_PER_ELEMENT: Readonly<Record<OnnxDataType, number>> = {
  [OnnxDataType.FLOAT]: 4,
  [OnnxDataType.INT64]: 8,
  [OnnxDataType.FLOAT16]: 2,
};

function toAttribute(name: string, value: AttributeValue): AttributeProtoObject {
  if ('int' in value) return { name, type: OnnxAttributeType.INT, i: value.int };
  if ('ints' in value) return { name, type: OnnxAttributeType.INTS, ints: [...value.ints] };
  return { name, type: OnnxAttributeType.FLOAT, f: value.float };
}

/**
 * Collects nodes (in topological order: each node is added after the nodes it reads from) and
 * initialisers, and rejects duplicate names, which ONNX Runtime would otherwise report only as
 * an obscure load failure.
 */
export class OnnxGraphBuilder {
  private readonly nodes: NodeProtoObject[] = [];
  private readonly initializers: InitializerSpec[] = [];
  private readonly valueNames = new Set<string>();

  /**
   * Adds a node with one output and returns the output's name: by default named after the node,
   * as torch.onnx.export names them, or `output` for a graph output such as `logits`.
   */
  node(
    opType: string,
    name: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    output = `${name}_output_0`,
  ): string {
    this.claim(output);
    this.nodes.push({
      name,
      op_type: opType,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([key, value]) => toAttribute(key, value)),
    });
    return output;
  }

  initializer(spec: InitializerSpec): string {
    this.claim(spec.name);
    this.initializers.push(spec);
    return spec.name;
  }

  build(name: string, inputs: ValueInfoProtoObject[], outputs: ValueInfoProtoObject[]): OnnxGraphSpec {
    return { name, nodes: [...this.nodes], inputs, outputs, initializers: [...this.initializers] };
  }

  private claim(valueName: string): void {
    if (this.valueNames.has(valueName)) throw new Error(`duplicate ONNX value name: ${valueName}`);
    this.valueNames.add(valueName);
  }
}

/** A tensor ValueInfo; a string dimension is symbolic (dynamic), e.g. "batch". */
export function tensorValueInfo(
  name: string,
  elemType: OnnxDataType,
  shape: readonly (number | string)[],
): ValueInfoProtoObject {
  const dim = shape.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d }));
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
}
