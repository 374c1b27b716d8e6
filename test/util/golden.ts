/** Golden-file tensors (`{shape, data}`, NCHW as the peers store them) to tfjs layouts. */
import * as tf from '@tensorflow/tfjs-core';

export interface GoldenTensor {
  shape: number[];
  data: unknown;
}

export function fromGolden(t: GoldenTensor): tf.Tensor {
  return tf.tensor((t.data as number[]).flat(4) as number[], t.shape, 'float32');
}

/** NCHW feature map (or offset / mask) to NHWC: the channel order is unchanged. */
export function nchwToNhwc(t: GoldenTensor): tf.Tensor4D {
  return tf.transpose(fromGolden(t), [0, 2, 3, 1]) as tf.Tensor4D;
}

/** PyTorch / ONNX conv weight `[O, I/G, kh, kw]` to tfjs `[kh, kw, I/G, O]`. */
export function oihwToHwio(t: GoldenTensor): tf.Tensor4D {
  return tf.transpose(fromGolden(t), [2, 3, 1, 0]) as tf.Tensor4D;
}
