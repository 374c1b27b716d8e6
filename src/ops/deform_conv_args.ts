/** Argument handling of the deformable convolutions: user-facing attributes, checked and resolved. */
import {checkArg} from '../check_arg';
import type {DeformConv2DAttrs} from '../kernel_names';
import {PadArg, resolvePad} from '../shape/window';
import {pair} from './op_util';

/** User-facing attributes, before resolution. */
export interface DeformConvArgs {
  strides?: number | [number, number];
  pad?: PadArg;
  dilations?: number | [number, number];
  groups?: number;
  offsetGroups?: number;
}

/**
 * Checks the scalar attributes and resolves them (defaults as in PyTorch:
 * stride 1, no padding, dilation 1, one group, one offset group).
 */
export function resolveDeformConvAttrs(
  opName: string,
  args: DeformConvArgs,
  inHeight: number,
  inWidth: number,
  kernel: [number, number],
): DeformConv2DAttrs {
  const strides = pair(opName, 'strides', args.strides ?? 1);
  const dilations = pair(opName, 'dilations', args.dilations ?? 1);
  const groups = args.groups ?? 1;
  const offsetGroups = args.offsetGroups ?? 1;
  checkArg(
    Number.isInteger(groups) && groups >= 1,
    opName,
    `groups must be a positive integer, got ${groups}`,
  );
  checkArg(
    Number.isInteger(offsetGroups) && offsetGroups >= 1,
    opName,
    `offsetGroups must be a positive integer, got ${offsetGroups}`,
  );
  const pad = resolvePad(opName, args.pad ?? 0, inHeight, inWidth, kernel, strides, dilations);
  return {strides, pad, dilations, groups, offsetGroups};
}
