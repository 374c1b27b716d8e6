// Build tiny ONNX graphs with onnx-proto and run them with onnxruntime-node.
// Used by the oracle scripts (DeformConv, RoiAlign, the GridSample graph of
// DCNv3) and the benchmark's onnxruntime-web models,
// so it stays generic: any node list, float32 or int64 inputs, float32 outputs.
import {onnx} from 'onnx-proto';
import * as ort from 'onnxruntime-node';

export const ORT_VERSION: string = ort.env.versions.common;

/**
 * Attribute values. Plain integers / integer arrays become INT / INTS and plain
 * strings STRING; floats must be tagged so that e.g. `spatial_scale: 1` is not
 * silently stored as an INT (ORT rejects attributes of the wrong type).
 */
export type AttrValue = number | number[] | string | {float: number} | {floats: number[]};

export interface OnnxNode {
  opType: string;
  /** '' marks an absent optional input (ONNX convention). */
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  domain?: string;
}

export interface GraphInput {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface GraphOutput {
  name: string;
  dims: number[];
  data: Float32Array;
}

export interface GraphSpec {
  nodes: OnnxNode[];
  inputs: GraphInput[];
  /** Constants stored in the model (ORT may fold what depends only on them). */
  initializers?: GraphInput[];
  /** Names of graph outputs; all are declared float32 of unknown shape. */
  outputs: string[];
  opset: number;
}

const AT = onnx.AttributeProto.AttributeType;
const DT = onnx.TensorProto.DataType;

function makeAttr(name: string, v: AttrValue): onnx.IAttributeProto {
  const checkInts = (xs: number[]) => {
    if (!xs.every(Number.isInteger)) {
      throw new Error(`attr ${name}: non-integer ${xs}; tag floats`);
    }
    return xs;
  };
  if (typeof v === 'string') {
    return {name, type: AT.STRING, s: new TextEncoder().encode(v)};
  }
  if (typeof v === 'number') return {name, type: AT.INT, i: checkInts([v])[0]};
  if (Array.isArray(v)) return {name, type: AT.INTS, ints: checkInts(v)};
  if ('float' in v) return {name, type: AT.FLOAT, f: v.float};
  return {name, type: AT.FLOATS, floats: v.floats};
}

const elemType = (data: GraphInput['data']) => (data instanceof Float32Array ? DT.FLOAT : DT.INT64);

function initializer({name, dims, data}: GraphInput): onnx.ITensorProto {
  // raw_data is little-endian, like every platform JS runs on.
  return {
    name,
    dims,
    dataType: elemType(data),
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function valueInfo(name: string, elemType: number, dims?: number[]): onnx.IValueInfoProto {
  const shape = dims && {dim: dims.map(d => ({dimValue: d}))};
  return {name, type: {tensorType: {elemType, shape}}};
}

/** Serialized ModelProto for the given graph. */
export function buildModel(spec: GraphSpec): Uint8Array {
  const graph: onnx.IGraphProto = {
    name: 'oracle',
    node: spec.nodes.map((n, k) => ({
      name: `${n.opType}_${k}`,
      opType: n.opType,
      domain: n.domain ?? '',
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => makeAttr(k, v)),
    })),
    input: spec.inputs.map(i => valueInfo(i.name, elemType(i.data), i.dims)),
    initializer: (spec.initializers ?? []).map(initializer),
    output: spec.outputs.map(o => valueInfo(o, DT.FLOAT)),
  };
  // IR 10 is what opsets 21-22 are released with; onnx-proto's enum stops at
  // 8 but the field is a plain int64, so the value is written as-is.
  const model: onnx.IModelProto = {
    irVersion: 10,
    producerName: 'tfjs-deform-oracle',
    opsetImport: [{domain: '', version: spec.opset}],
    graph,
  };
  return onnx.ModelProto.encode(model).finish();
}

/** Builds the model, runs it once on CPU and returns all declared outputs. */
export async function runGraph(spec: GraphSpec): Promise<Record<string, GraphOutput>> {
  const session = await ort.InferenceSession.create(buildModel(spec));
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const i of spec.inputs) {
      const type = i.data instanceof Float32Array ? 'float32' : 'int64';
      feeds[i.name] = new ort.Tensor(type, i.data, i.dims);
    }
    const results = await session.run(feeds);
    const out: Record<string, GraphOutput> = {};
    for (const name of spec.outputs) {
      const t = results[name];
      if (t.type !== 'float32') throw new Error(`${name}: got ${t.type}`);
      out[name] = {name, dims: [...t.dims], data: t.data as Float32Array};
    }
    return out;
  } finally {
    await session.release();
  }
}
