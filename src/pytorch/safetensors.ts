/**
 * Reads a safetensors file (how PyTorch `state_dict`s are shared): an 8-byte
 * little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the raw little-endian data. Floating-point
 * tensors come back as float32.
 */

export interface StateTensor {
  shape: number[];
  data: Float32Array;
}
export type StateDict = Map<string, StateTensor>;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** float16 / bfloat16 bit patterns to numbers. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

const DECODERS: Record<string, (view: DataView, i: number) => number> = {
  F32: (v, i) => v.getFloat32(4 * i, true),
  F64: (v, i) => v.getFloat64(8 * i, true),
  F16: (v, i) => halfToFloat(v.getUint16(2 * i, true)),
  BF16: (v, i) => new Float32Array(new Uint32Array([v.getUint16(2 * i, true) << 16]).buffer)[0],
};
const BYTES: Record<string, number> = {F32: 4, F64: 8, F16: 2, BF16: 2};

export function parseSafetensors(file: ArrayBuffer | Uint8Array): StateDict {
  const bytes = file instanceof Uint8Array ? file : new Uint8Array(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8) {
    throw new Error('safetensors: the file is shorter than its 8-byte header length');
  }
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength) {
    throw new Error(`safetensors: header of ${headerLength} bytes runs past the end of the file`);
  }
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)),
  ) as Record<string, HeaderEntry>;
  const dataStart = 8 + headerLength;
  const tensors: StateDict = new Map();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const decode = DECODERS[entry.dtype];
    if (decode == null) {
      throw new Error(
        `safetensors: ${name} has dtype ${entry.dtype}; only F32, F64, F16 and BF16 are read`,
      );
    }
    const [begin, end] = entry.data_offsets;
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== size * BYTES[entry.dtype] || dataStart + end > bytes.byteLength) {
      throw new Error(
        `safetensors: ${name}'s byte range [${begin}, ${end}) does not hold shape [${entry.shape}]`,
      );
    }
    const tensorView = new DataView(
      bytes.buffer,
      bytes.byteOffset + dataStart + begin,
      end - begin,
    );
    tensors.set(name, {
      shape: entry.shape,
      data: Float32Array.from({length: size}, (_, i) => decode(tensorView, i)),
    });
  }
  return tensors;
}
