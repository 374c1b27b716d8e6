/**
 * Layout changes of state dict entries on the host (plain Float32Arrays), so
 * that each weight is uploaded once, already in our layout, whatever the
 * backend (tfjs's cpu transposes are slow on 25M-parameter networks).
 */
import type {StateTensor} from './safetensors';

export function reshapeEntry(t: StateTensor, shape: number[]): StateTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== t.data.length) {
    throw new Error(`cannot reshape [${t.shape}] to [${shape}]`);
  }
  return {shape, data: t.data};
}

/** `t` with its axes permuted (rank up to 4), like tf.transpose. */
export function permuteEntry(t: StateTensor, perm: number[]): StateTensor {
  const rank = t.shape.length;
  if (perm.length !== rank || rank > 4) {
    throw new Error(`cannot permute [${t.shape}] by [${perm}]`);
  }
  // Pad to rank 4 with leading unit axes.
  const pad = 4 - rank;
  const shape = [...new Array(pad).fill(1), ...t.shape];
  const axes = [...Array.from({length: pad}, (_, i) => i), ...perm.map(p => p + pad)];
  const strides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const [d0, d1, d2, d3] = axes.map(a => shape[a]);
  const [s0, s1, s2, s3] = axes.map(a => strides[a]);
  const out = new Float32Array(t.data.length);
  let o = 0;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        let src = i0 * s0 + i1 * s1 + i2 * s2;
        for (let i3 = 0; i3 < d3; i3++, src += s3) {
          out[o++] = t.data[src];
        }
      }
    }
  }
  return {shape: perm.map(p => t.shape[p]), data: out};
}
