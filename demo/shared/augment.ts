/**
 * The task: an MNIST digit pasted on a larger canvas with a random scale,
 * rotation and translation, the setting in which the DCN paper shows the
 * sampling points of deformable layers adapting to the object. A plain
 * convolution sees every digit through the same fixed grid; a deformable one
 * can stretch, shrink and turn its grid per position.
 */
import {DIGIT_SIZE, DigitSet, digitCount, digitImage} from './digits';
import {Random, randomIndex, uniform} from './random';

/** Side of the canvas the models see. */
export const IMAGE_SIZE = 40;
const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE;

const PLACEMENT = {
  scale: [0.6, 1.4],
  /** Radians; beyond about ±35° some 6s read as 9s. */
  rotation: [-0.6, 0.6],
  /** The written part of an MNIST digit spans about 20 of its 28 pixels; it is kept inside the canvas. */
  inkExtent: 20,
} as const;

interface Placement {
  scale: number;
  rotation: number;
  /** Where the digit's centre lands, in canvas pixels. */
  centreY: number;
  centreX: number;
}

function randomPlacement(random: Random): Placement {
  const scale = uniform(random, ...PLACEMENT.scale);
  const rotation = uniform(random, ...PLACEMENT.rotation);
  const room = Math.max(0, (IMAGE_SIZE - PLACEMENT.inkExtent * scale) / 2);
  const middle = (IMAGE_SIZE - 1) / 2;
  return {
    scale,
    rotation,
    centreY: middle + uniform(random, -room, room),
    centreX: middle + uniform(random, -room, room),
  };
}

/** The 28x28 digit drawn onto the canvas (bilinear, inverse mapping), written into `out` at `offset`. */
function placeDigit(
  digit: Float32Array,
  placement: Placement,
  out: Float32Array,
  offset = 0,
): void {
  const {scale, rotation, centreY, centreX} = placement;
  const cos = Math.cos(rotation) / scale;
  const sin = Math.sin(rotation) / scale;
  const digitCentre = (DIGIT_SIZE - 1) / 2;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const dy = y - centreY;
      const dx = x - centreX;
      const sy = digitCentre + cos * dy - sin * dx;
      const sx = digitCentre + sin * dy + cos * dx;
      out[offset + y * IMAGE_SIZE + x] = bilinear(digit, sy, sx);
    }
  }
}

function bilinear(image: Float32Array, y: number, x: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  const at = (r: number, c: number) =>
    r >= 0 && r < DIGIT_SIZE && c >= 0 && c < DIGIT_SIZE ? image[r * DIGIT_SIZE + c] : 0;
  return (
    (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
    fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1))
  );
}

/** A batch of placed digits, plain arrays so that both the page and Node make tensors from them. */
export interface Examples {
  /** `count * IMAGE_PIXELS`, row-major images. */
  images: Float32Array;
  labels: Uint8Array;
}

/** `count` random digits of `set`, each randomly placed. */
export function randomExamples(set: DigitSet, count: number, random: Random): Examples {
  const images = new Float32Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const index = randomIndex(random, digitCount(set));
    labels[n] = set.labels[index];
    placeDigit(digitImage(set, index), randomPlacement(random), images, n * IMAGE_PIXELS);
  }
  return {images, labels};
}

/** One placed example out of a batch. */
export function exampleImage(examples: Examples, n: number): Float32Array {
  return examples.images.subarray(n * IMAGE_PIXELS, (n + 1) * IMAGE_PIXELS);
}
