/**
 * deformRoiPool workloads: ours (with offsets) next to tf.image.cropAndResize
 * of the same RoIs (the stock bilinear crop, one sample per bin).
 */
import * as tf from '@tensorflow/tfjs-core';

import {deformRoiPool} from '../src/index';
import configs from './configs.json';
import {bothModes, Row, timeCases, uniform} from './timing';

export type RoiWorkload = (typeof configs.deformRoiPool)[number];

/** Seeded RoIs `[R, 5]` in image coordinates (feature map size / spatialScale). */
export function roiBoxes(w: RoiWorkload): Float32Array {
  const [imageH, imageW] = [w.H / w.spatialScale, w.W / w.spatialScale];
  let s = 7;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const boxes = new Float32Array(w.rois * 5);
  for (let r = 0; r < w.rois; r++) {
    const [x1, y1] = [next() * imageW * 0.7, next() * imageH * 0.7];
    const [bw, bh] = [8 + next() * imageW * 0.3, 8 + next() * imageH * 0.3];
    boxes.set(
      [r % w.N, x1, y1, Math.min(x1 + bw, imageW - 1), Math.min(y1 + bh, imageH - 1)],
      5 * r,
    );
  }
  return boxes;
}

export async function benchDeformRoiPool(note = ''): Promise<Row[]> {
  const rows: Row[] = [];
  for (const w of configs.deformRoiPool) {
    const x = uniform([w.N, w.H, w.W, w.C], -1, 1, 1);
    const boxes = roiBoxes(w);
    const rois = tf.tensor2d(boxes, [w.rois, 5]);
    const offset = uniform([w.rois, w.outputSize, w.outputSize, 2], -0.5, 0.5, 2);
    // cropAndResize takes [y1, x1, y2, x2] normalised to the feature map and the batch index apart.
    const scale = (v: number, size: number) => (v * w.spatialScale) / (size - 1);
    const normalised = tf.tensor2d(
      Array.from({length: w.rois}, (_, r) => [
        scale(boxes[5 * r + 2], w.H),
        scale(boxes[5 * r + 1], w.W),
        scale(boxes[5 * r + 4], w.H),
        scale(boxes[5 * r + 3], w.W),
      ]),
    );
    const boxIndex = tf.tensor1d(
      Array.from({length: w.rois}, (_, r) => boxes[5 * r]),
      'int32',
    );
    const ours = (x: tf.Tensor, o: tf.Tensor) =>
      deformRoiPool({
        x,
        rois,
        offset: o,
        outputSize: w.outputSize,
        spatialScale: w.spatialScale,
        samplingRatio: w.samplingRatio,
        gamma: w.gamma,
      });
    const crop = (x: tf.Tensor) =>
      tf.image.cropAndResize(x as tf.Tensor4D, normalised, boxIndex, [w.outputSize, w.outputSize]);
    rows.push(
      ...(await timeCases(
        'deformRoiPool',
        w.name,
        [
          ...bothModes('tfjs-deform', ours, [x, offset]),
          ...bothModes('tf.image.cropAndResize', crop, [x]),
        ],
        note,
      )),
    );
    tf.dispose([x, rois, offset, normalised, boxIndex]);
  }
  return rows;
}
