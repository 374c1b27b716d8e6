/**
 * MNIST digits as one compact set: 28x28 grey levels as bytes (the `mnist`
 * package stores them as JSON floats, 21 MB; as bytes they are 7.9 MB) and
 * their labels. The Node side reads the package (demo/node/mnist_digits.ts),
 * the server sends the bytes, the page decodes them: one format, one split.
 */
export const DIGIT_SIZE = 28;
export const DIGIT_PIXELS = DIGIT_SIZE * DIGIT_SIZE;
export const CLASSES = 10;

export interface DigitSet {
  /** `count` labels, 0..9. */
  labels: Uint8Array;
  /** `count * 784` grey levels, 0..255, row-major. */
  pixels: Uint8Array;
}

export function digitCount(set: DigitSet): number {
  return set.labels.length;
}

/** The grey levels of digit `index`, in [0, 1]. */
export function digitImage(set: DigitSet, index: number): Float32Array {
  const image = new Float32Array(DIGIT_PIXELS);
  const start = index * DIGIT_PIXELS;
  for (let i = 0; i < DIGIT_PIXELS; i++) {
    image[i] = set.pixels[start + i] / 255;
  }
  return image;
}

/** `[count: uint32 little-endian][labels][pixels]`. */
export function encodeDigits(set: DigitSet): Uint8Array {
  const count = digitCount(set);
  const bytes = new Uint8Array(4 + count + set.pixels.length);
  new DataView(bytes.buffer).setUint32(0, count, true);
  bytes.set(set.labels, 4);
  bytes.set(set.pixels, 4 + count);
  return bytes;
}

export function decodeDigits(bytes: Uint8Array): DigitSet {
  const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const expected = 4 + count * (1 + DIGIT_PIXELS);
  if (bytes.length !== expected) {
    throw new Error(
      `digit data: expected ${expected} bytes for ${count} digits, got ${bytes.length}`,
    );
  }
  return {
    labels: bytes.subarray(4, 4 + count),
    pixels: bytes.subarray(4 + count),
  };
}

/** Every 8th digit of each class is held out for testing; the models never train on it. */
const TEST_EVERY = 8;

export function splitDigits(set: DigitSet): {train: DigitSet; test: DigitSet} {
  const seen = new Array<number>(CLASSES).fill(0);
  const isTest = Array.from(set.labels, label => seen[label]++ % TEST_EVERY === TEST_EVERY - 1);
  const pick = (test: boolean): DigitSet => {
    const indices = isTest.flatMap((t, i) => (t === test ? [i] : []));
    const pixels = new Uint8Array(indices.length * DIGIT_PIXELS);
    indices.forEach((from, to) =>
      pixels.set(
        set.pixels.subarray(from * DIGIT_PIXELS, (from + 1) * DIGIT_PIXELS),
        to * DIGIT_PIXELS,
      ),
    );
    return {labels: Uint8Array.from(indices, i => set.labels[i]), pixels};
  };
  return {train: pick(false), test: pick(true)};
}
