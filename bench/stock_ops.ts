/**
 * The ops composed from tfjs stock ops, as a user without this package would
 * write them: the baselines the benchmark compares against. Bilinear sampling
 * with zeros outside is a gather of the four corners (one shared helper).
 */
import * as tf from '@tensorflow/tfjs-core';

const int = (v: number) => tf.scalar(v, 'int32');

/**
 * Samples `x` `[N, H, W, C]` at positions `y`, `xs` `[N, ...rest, groups, taps]`
 * (group g reading channels g·C/groups ...): `[N, ...rest, groups, taps, C/groups]`.
 */
function bilinearZ(x: tf.Tensor4D, y: tf.Tensor, xs: tf.Tensor, groups: number): tf.Tensor {
  const [n, h, w, c] = x.shape;
  const y0 = tf.floor(y);
  const x0 = tf.floor(xs);
  const [ly, lx] = [tf.sub(y, y0), tf.sub(xs, x0)];
  const inWindow = tf.logicalAnd(
    tf.logicalAnd(tf.greater(y, -1), tf.less(y, h)),
    tf.logicalAnd(tf.greater(xs, -1), tf.less(xs, w)),
  );
  const table = tf.reshape(x, [n * h * w * groups, c / groups]); // row: pixel * groups + group
  const lead = [n, ...y.shape.slice(1, -2), 1, 1];
  const imageBase = tf.reshape(tf.mul(tf.range(0, n, 1, 'int32'), int(h * w)), [
    n,
    ...lead.slice(1).map(() => 1),
  ]);
  const group = tf.reshape(tf.range(0, groups, 1, 'int32'), [
    ...lead.slice(0, -2).map(() => 1),
    groups,
    1,
  ]);
  let sampled: tf.Tensor = tf.zeros([...y.shape, c / groups]);
  for (const [cy, wy] of [
    [y0, tf.sub(1, ly)],
    [tf.add(y0, 1), ly],
  ] as const) {
    for (const [cx, wx] of [
      [x0, tf.sub(1, lx)],
      [tf.add(x0, 1), lx],
    ] as const) {
      const valid = tf.logicalAnd(
        inWindow,
        tf.logicalAnd(
          tf.logicalAnd(tf.greaterEqual(cy, 0), tf.less(cy, h)),
          tf.logicalAnd(tf.greaterEqual(cx, 0), tf.less(cx, w)),
        ),
      );
      const weight = tf.mul(tf.mul(wy, wx), tf.cast(valid, 'float32'));
      const pixel = tf.add(
        imageBase,
        tf.add(
          tf.mul(tf.cast(tf.clipByValue(cy, 0, h - 1), 'int32'), int(w)),
          tf.cast(tf.clipByValue(cx, 0, w - 1), 'int32'),
        ),
      );
      sampled = tf.add(
        sampled,
        tf.mul(
          tf.gather(table, tf.add(tf.mul(pixel, int(groups)), group)),
          tf.expandDims(weight, -1),
        ),
      );
    }
  }
  return sampled;
}

/** Regular grid positions `[Ho, Wo, 1, kh * kw]` (row-major taps) around `base`, then scaled. */
function grid(
  out: [number, number],
  k: [number, number],
  stride: number,
  dilation: number,
  start: number,
) {
  const axis = (o: number, kk: number) =>
    tf.add(
      tf.reshape(tf.add(tf.mul(tf.range(0, o), stride), start), [o, 1]),
      tf.reshape(tf.mul(tf.range(0, kk), dilation), [1, kk]),
    );
  const [ho, wo] = out;
  const [kh, kw] = k;
  const y = tf.tile(tf.reshape(axis(ho, kh), [ho, 1, kh, 1]), [1, wo, 1, kw]);
  const x = tf.tile(tf.reshape(axis(wo, kw), [1, wo, 1, kw]), [ho, 1, kh, 1]);
  return [tf.reshape(y, [ho, wo, 1, kh * kw]), tf.reshape(x, [ho, wo, 1, kh * kw])];
}

export interface StockDcnArgs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  offset: tf.Tensor4D;
  mask?: tf.Tensor4D;
  stride: number;
  pad: number;
  dilation: number;
  offsetGroups: number;
}

/** DCNv1/v2 (groups 1): sampling by gather, then the matmul with the filter. */
export function stockDeformConv2d({
  x,
  filter,
  offset,
  mask,
  stride,
  pad,
  dilation,
  offsetGroups: d,
}: StockDcnArgs) {
  return tf.tidy(() => {
    const [n, , , c] = x.shape;
    const [kh, kw, , cout] = filter.shape;
    const [, ho, wo] = offset.shape;
    const taps = kh * kw;
    const [gy, gx] = grid([ho, wo], [kh, kw], stride, dilation, -pad);
    const [dy, dx] = tf.unstack(tf.reshape(offset, [n, ho, wo, d, taps, 2]), 5);
    let cols = bilinearZ(x, tf.add(gy, dy), tf.add(gx, dx), d);
    if (mask) {
      cols = tf.mul(cols, tf.expandDims(tf.reshape(mask, [n, ho, wo, d, taps]), -1));
    }
    // [n, ho, wo, d, taps, c/d] -> [rows, taps * c] in the filter's (tap, channel) order.
    const rows = tf.reshape(tf.transpose(cols, [0, 1, 2, 4, 3, 5]), [n * ho * wo, taps * c]);
    return tf.reshape(tf.matMul(rows, tf.reshape(filter, [taps * c, cout])), [n, ho, wo, cout]);
  });
}

export interface StockDCNv3Args {
  x: tf.Tensor4D;
  offset: tf.Tensor4D;
  mask: tf.Tensor4D;
  k: number;
  stride: number;
  pad: number;
  dilation: number;
  groups: number;
  offsetScale: number;
}

/** DCNv3's core: the same gather sampling at InternImage's positions, mask-weighted and summed over points. */
export function stockDcnv3({
  x,
  offset,
  mask,
  k,
  stride,
  pad,
  dilation,
  groups: g,
  offsetScale: s,
}: StockDCNv3Args) {
  return tf.tidy(() => {
    const [n, , , c] = x.shape;
    const [, ho, wo] = offset.shape;
    const centre = Math.floor((dilation * (k - 1)) / 2);
    // Column-major points: transpose the row-major grid's tap axis.
    const columnMajor = (t: tf.Tensor) =>
      tf.reshape(tf.transpose(tf.reshape(t, [ho, wo, 1, k, k]), [0, 1, 2, 4, 3]), [
        ho,
        wo,
        1,
        k * k,
      ]);
    const [gy, gx] = grid([ho, wo], [k, k], stride, dilation, -pad).map(columnMajor);
    const [dx, dy] = tf.unstack(tf.reshape(offset, [n, ho, wo, g, k * k, 2]), 5);
    // centre + s * (grid - centre + offset), with the grid around oh * stride - pad.
    const base = (t: tf.Tensor, o: tf.Tensor, axis: 0 | 1) => {
      const origin = tf.reshape(
        tf.sub(tf.mul(tf.range(0, axis === 0 ? ho : wo), stride), pad - centre),
        axis === 0 ? [ho, 1, 1, 1] : [1, wo, 1, 1],
      );
      return tf.add(origin, tf.mul(s, tf.add(tf.sub(t, origin), o)));
    };
    const sampled = bilinearZ(x, base(gy, dy, 0), base(gx, dx, 1), g);
    const weighted = tf.mul(sampled, tf.expandDims(tf.reshape(mask, [n, ho, wo, g, k * k]), -1));
    return tf.reshape(tf.sum(weighted, 4), [n, ho, wo, c]);
  });
}

/** Involution, stride 1: each tap a slice of the padded input times its kernel entry. */
export function stockInvolution(x: tf.Tensor4D, kernel: tf.Tensor4D, k: number, groups: number) {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const p = Math.floor((k - 1) / 2);
    const padded = tf.pad(x, [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ]);
    const weights = tf.reshape(kernel, [n, h, w, groups, 1, k * k]);
    let sum: tf.Tensor = tf.zeros([n, h, w, groups, c / groups]);
    for (let tap = 0; tap < k * k; tap++) {
      const window = tf.slice(padded, [0, Math.floor(tap / k), tap % k, 0], [n, h, w, c]);
      const weight = tf.squeeze(
        tf.slice(weights, [0, 0, 0, 0, 0, tap], [-1, -1, -1, -1, -1, 1]),
        [5],
      );
      sum = tf.add(sum, tf.mul(tf.reshape(window, [n, h, w, groups, c / groups]), weight));
    }
    return tf.reshape(sum, [n, h, w, c]);
  });
}
