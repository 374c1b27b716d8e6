/**
 * torchvision's ResNet-50/101, optionally with mmdet's `dcn` /
 * `stage_with_dcn`: the 3x3 conv of every bottleneck in the chosen stages
 * becomes a DeformConv2D (DCNv1) or ModulatedDeformConv2D (DCNv2) owning its
 * offset branch, as mmcv's DeformConv2dPack / ModulatedDeformConv2dPack.
 * Layer names are torchvision's module paths (`layer2.0.conv2`), mmcv's
 * `conv_offset` living inside the deformable layer.
 */
import {input, LayersModel, model, SymbolicTensor} from '@tensorflow/tfjs-layers';

import {DeformConv2D} from '../layers/deform_conv2d_layer';
import {ModulatedDeformConv2D} from '../layers/modulated_deform_conv2d_layer';
import {
  batchNorm,
  checkChoice,
  checkInputShape,
  checkNumClasses,
  classifier,
  conv,
  maxPoolAfterRelu,
  relu,
} from './blocks';
import {resStages, SpatialLayer} from './bottleneck';

export interface ResNetDcnArgs {
  version: 1 | 2;
  /** Which of the four stages (conv2_x..conv5_x) have deformable 3x3 convs. */
  stages: [boolean, boolean, boolean, boolean];
  /** mmcv's `deform_groups`. Default 1. */
  deformGroups?: number;
}

export interface ResNetArgs {
  depth: 50 | 101;
  dcn?: ResNetDcnArgs;
  /** `[H, W, 3]`, H and W multiples of 32. Default `[224, 224, 3]`. */
  inputShape?: number[];
  /** Default 1000. */
  numClasses?: number;
  /** Default true; false: the outputs of the four stages (strides 4, 8, 16, 32). */
  includeTop?: boolean;
}

const BLOCKS: Record<number, number[]> = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3]};

/** The head's PyTorch keys, ignored when loading a checkpoint into a model without it. */
export const RESNET_HEAD_KEYS = ['fc.'];

const plainConv: SpatialLayer = (x, name, width, strides) =>
  conv(x, name, {filters: width, kernelSize: 3, strides});

function deformableConv(dcn: ResNetDcnArgs): SpatialLayer {
  const Layer = dcn.version === 2 ? ModulatedDeformConv2D : DeformConv2D;
  return (x, name, width, strides) =>
    new Layer({
      filters: width,
      kernelSize: 3,
      strides,
      padding: 1,
      useBias: false,
      offsetGroups: dcn.deformGroups ?? 1,
      name,
    }).apply(x) as SymbolicTensor;
}

function checkDcn(dcn: ResNetDcnArgs): void {
  checkChoice('resNet', 'dcn.version', dcn.version, [1, 2]);
  if (!Array.isArray(dcn.stages) || dcn.stages.length !== 4) {
    throw new Error(`resNet: dcn.stages must be 4 booleans (conv2_x..conv5_x), got ${dcn.stages}`);
  }
  const groups = dcn.deformGroups ?? 1;
  if (!(Number.isInteger(groups) && groups > 0 && 64 % groups === 0)) {
    throw new Error(`resNet: dcn.deformGroups must be a positive divisor of 64, got ${groups}`);
  }
}

/** The model's name: `resnet50`, `resnet50_dcnv2`, ... */
function resNetName(args: ResNetArgs): string {
  return `resnet${args.depth}${args.dcn ? `_dcnv${args.dcn.version}` : ''}`;
}

export function resNet(args: ResNetArgs): LayersModel {
  checkChoice('resNet', 'depth', args.depth, [50, 101]);
  if (args.dcn != null) {
    checkDcn(args.dcn);
  }
  const inputShape = checkInputShape('resNet', args.inputShape);
  const numClasses = checkNumClasses('resNet', args.numClasses);
  const image = input({shape: inputShape, name: 'input'});
  let x = conv(image, 'conv1', {filters: 64, kernelSize: 7, strides: 2});
  x = maxPoolAfterRelu(relu(batchNorm(x, 'bn1'), 'relu'), 'maxpool');
  const dcn = args.dcn;
  const stages = resStages(x, '', BLOCKS[args.depth], stage =>
    dcn?.stages[stage] ? deformableConv(dcn) : plainConv,
  );
  const outputs =
    args.includeTop === false ? stages : classifier(stages[3], 'avgpool', 'fc', numClasses);
  return model({inputs: image, outputs, name: resNetName(args)});
}
