/** Serialized ONNX DeformConv models of the workloads (Node only: built with onnx-proto). */
import {buildModel} from '../test/oracle/onnx_graph';
import {deformConvGraph} from './ort_peer';
import type {DcnWorkload} from './suite';

export function deformConvModel(w: DcnWorkload): Uint8Array {
  const {node, dims} = deformConvGraph(w);
  return buildModel({
    nodes: [node],
    opset: 22,
    outputs: ['Y'],
    inputs: Object.entries(dims).map(
        ([name, shape]) => ({name, dims: shape, data: new Float32Array(0)})),
  });
}
