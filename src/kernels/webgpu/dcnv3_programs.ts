/**
 * DCNv3's compute programs on webgpu: the forward and the offset/mask
 * gradients are gathers (one thread per output element), the input gradient
 * a scatter (one thread per sample and channel, float atomics into `dx`).
 * A program binds only the inputs it reads (tfjs lays bindings out from the
 * shader: an unused one invalidates the dispatch).
 */
import type {DCNv3Info} from '../../shape/dcnv3';
import {dcnv3SampleWgsl} from './dcnv3_wgsl';
import {ATOMIC_ADD_WGSL, FlatProgram, flatProgram, THREAD_GUARD_WGSL} from './program_util';
import {samplerZWgsl, wgslFloat} from './sampler_z_wgsl';

function rows(info: DCNv3Info): number {
  return info.batchSize * info.outHeight * info.outWidth;
}

export function dcnv3Program(info: DCNv3Info): FlatProgram {
  const {inChannels: channels, channelsPerGroup, points} = info;
  return flatProgram({
    name: 'dcnv3',
    constants: info,
    variableNames: ['x', 'offset', 'mask'],
    outputShape: [info.batchSize, info.outHeight, info.outWidth, channels],
    threads: rows(info) * channels,
    userCode: `
      ${samplerZWgsl(info, true)}
      ${dcnv3SampleWgsl(info)}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let row = index / ${channels};
        let c = index % ${channels};
        let first = (c / ${channelsPerGroup}) * ${points};
        var sum = 0.0;
        for (var t = first; t < first + ${points}; t++) {
          let s = dcnv3Sample(row, t);
          if (s.inside) {
            sum += f32(mask[row * ${info.groups * points} + t]) * zValue(s, zCorners(s, c));
          }
        }
        result[index] = sum;
      }
    `,
  });
}

/** `dx` (atomic, zero-based output): every sample's `dy * mask` spread over its corners. */
export function dcnv3InputGradProgram(info: DCNv3Info): FlatProgram {
  const {inChannels: channels, channelsPerGroup, points} = info;
  const samples = info.groups * points;
  return flatProgram({
    name: 'dcnv3_dx',
    constants: info,
    variableNames: ['offset', 'mask', 'dy'],
    outputShape: [info.batchSize, info.inHeight, info.inWidth, channels],
    threads: rows(info) * samples * channelsPerGroup,
    atomic: true,
    userCode: `
      ${samplerZWgsl(info, false)}
      ${dcnv3SampleWgsl(info)}
      ${ATOMIC_ADD_WGSL}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let row = index / ${samples * channelsPerGroup};
        let t = (index / ${channelsPerGroup}) % ${samples};
        let c = (t / ${points}) * ${channelsPerGroup} + index % ${channelsPerGroup};
        let g = f32(dy[row * ${channels} + c]) * f32(mask[row * ${samples} + t]);
        let s = dcnv3Sample(row, t);
        if (g == 0.0 || !s.inside) {
          return;
        }
        for (var corner = 0; corner < 4; corner++) {
          let i = zCornerIndex(s, corner / 2, corner % 2);
          if (i >= 0) {
            atomicAddFloat(i + c, zCornerWeight(s, corner / 2, corner % 2) * g);
          }
        }
      }
    `,
  });
}

/**
 * The offset gradient (`[N, Ho, Wo, G P 2]`, (Δx, Δy)) or the mask
 * gradient (`[N, Ho, Wo, G P]`): each entry sums its group's channels.
 */
export function dcnv3CoordGradProgram(info: DCNv3Info, target: 'offset' | 'mask'): FlatProgram {
  const {inChannels: channels, channelsPerGroup, points} = info;
  const samples = info.groups * points;
  const ofOffset = target === 'offset';
  const axes = ofOffset ? 2 : 1;
  const term = ofOffset ? 'select(zGradY(s, v), zGradX(s, v), axis == 0)' : 'zValue(s, v)';
  const factor = ofOffset
    ? `${wgslFloat(info.offsetScale)} * f32(mask[row * ${samples} + t])`
    : '1.0';
  return flatProgram({
    name: `dcnv3_${target}_grad`,
    constants: info,
    variableNames: ofOffset ? ['x', 'offset', 'mask', 'dy'] : ['x', 'offset', 'dy'],
    outputShape: [info.batchSize, info.outHeight, info.outWidth, axes * samples],
    threads: rows(info) * axes * samples,
    userCode: `
      ${samplerZWgsl(info, true)}
      ${dcnv3SampleWgsl(info)}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let row = index / ${axes * samples};
        let t = (index / ${axes}) % ${samples};
        let axis = index % ${axes};
        let s = dcnv3Sample(row, t);
        var sum = 0.0;
        if (s.inside) {
          let first = (t / ${points}) * ${channelsPerGroup};
          for (var c = first; c < first + ${channelsPerGroup}; c++) {
            let v = zCorners(s, c);
            sum += f32(dy[row * ${channels} + c]) * ${term};
          }
          sum *= ${factor};
        }
        result[index] = sum;
      }
    `,
  });
}
