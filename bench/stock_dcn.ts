/**
 * Deformable convolution composed from tfjs stock ops, as a user without this
 * package would write it (bilinear sampling with tf.gather, then matMul):
 * the baseline the benchmark compares against. Groups = 1.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface StockArgs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  offset: tf.Tensor4D;
  mask?: tf.Tensor4D;
  stride: number;
  pad: number;
  dilation: number;
  offsetGroups: number;
}

export function stockDeformConv2d(
    {x, filter, offset, mask, stride, pad, dilation, offsetGroups}: StockArgs): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const [kh, kw, , cout] = filter.shape;
    const [, ho, wo] = offset.shape;
    const taps = kh * kw;
    const d = offsetGroups;
    const grid = (out: number, k: number, size: number) => tf.add(
        tf.reshape(tf.mul(tf.range(0, out), stride), [out, 1]),
        tf.reshape(tf.sub(tf.mul(tf.range(0, k), dilation), pad), [1, k]));
    // Base sample positions per output position and tap: [ho, wo, 1, taps].
    const baseY = tf.reshape(tf.tile(tf.reshape(grid(ho, kh, h), [ho, 1, kh, 1]), [1, wo, 1, kw]), [ho, wo, 1, taps]);
    const baseX = tf.reshape(tf.tile(tf.reshape(grid(wo, kw, w), [1, wo, 1, kw]), [ho, 1, kh, 1]), [ho, wo, 1, taps]);
    const pairs = tf.reshape(offset, [n, ho, wo, d, taps, 2]);
    const [dy, dx] = tf.unstack(pairs, 5);
    const y = tf.add(baseY, dy);
    const xs = tf.add(baseX, dx);
    const y0 = tf.floor(y);
    const x0 = tf.floor(xs);
    const ly = tf.sub(y, y0);
    const lx = tf.sub(xs, x0);
    const inWindow = tf.logicalAnd(
        tf.logicalAnd(tf.greater(y, -1), tf.less(y, h)),
        tf.logicalAnd(tf.greater(xs, -1), tf.less(xs, w)));
    const modulation = mask ? tf.reshape(mask, [n, ho, wo, d, taps]) : tf.scalar(1);
    // x as rows of C/D channels: row (pixel * D + group).
    const table = tf.reshape(x, [n * h * w * d, c / d]);
    const int = (v: number) => tf.scalar(v, 'int32');
    const imageBase = tf.reshape(tf.mul(tf.range(0, n, 1, 'int32'), int(h * w)), [n, 1, 1, 1, 1]);
    const group = tf.reshape(tf.range(0, d, 1, 'int32'), [1, 1, 1, d, 1]);
    let cols: tf.Tensor = tf.zeros([n, ho, wo, d, taps, c / d]);
    for (const [cy, ly1] of [[y0, tf.sub(1, ly)], [tf.add(y0, 1), ly]] as const) {
      for (const [cx, lx1] of [[x0, tf.sub(1, lx)], [tf.add(x0, 1), lx]] as const) {
        const valid = tf.logicalAnd(inWindow, tf.logicalAnd(
            tf.logicalAnd(tf.greaterEqual(cy, 0), tf.less(cy, h)),
            tf.logicalAnd(tf.greaterEqual(cx, 0), tf.less(cx, w))));
        const weight = tf.mul(tf.mul(tf.mul(ly1, lx1), tf.cast(valid, 'float32')), modulation);
        const pixel = tf.add(imageBase, tf.add(
            tf.mul(tf.cast(tf.clipByValue(cy, 0, h - 1), 'int32'), int(w)),
            tf.cast(tf.clipByValue(cx, 0, w - 1), 'int32')));
        const rows = tf.add(tf.mul(pixel, int(d)), group);
        cols = tf.add(cols, tf.mul(tf.gather(table, rows), tf.expandDims(weight, -1)));
      }
    }
    // [n, ho, wo, d, taps, c/d] -> [rows, taps * c] in the filter's (tap, channel) order.
    const ordered = tf.transpose(cols, [0, 1, 2, 4, 3, 5]);
    const y2d = tf.matMul(
        tf.reshape(ordered, [n * ho * wo, taps * c]), tf.reshape(filter, [taps * c, cout]));
    return tf.reshape(y2d, [n, ho, wo, cout]);
  });
}
