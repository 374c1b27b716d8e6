/** Writes tensors as a safetensors file (what PyTorch's `save_file` produces), for the loader's specs. */
export function writeSafetensors(
  tensors: Record<string, {shape: number[]; data: ArrayLike<number>}>,
  dtype: 'F32' | 'F64' = 'F32',
): Uint8Array {
  const bytes = dtype === 'F32' ? 4 : 8;
  const header: Record<string, unknown> = {__metadata__: {format: 'pt'}};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = {dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length * bytes]};
    offset += t.data.length * bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors)) {
    for (let i = 0; i < t.data.length; i++, at += bytes) {
      if (dtype === 'F32') view.setFloat32(at, t.data[i], true);
      else view.setFloat64(at, t.data[i], true);
    }
  }
  return out;
}
