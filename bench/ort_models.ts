/** Serialized ONNX models of the onnxruntime-web peers (Node only: built with onnx-proto). */
import {buildModel} from '../test/oracle/onnx_graph';
import type {OrtGraph} from './ort_peer';

export function ortModel(g: OrtGraph): Uint8Array {
  return buildModel({
    nodes: g.nodes,
    initializers: g.initializers,
    opset: g.opset,
    outputs: g.outputs,
    inputs: Object.entries(g.feeds).map(([name, feed]) => ({
      name,
      dims: feed.shape,
      data: feed.int64 ? new BigInt64Array(0) : new Float32Array(0),
    })),
  });
}
