/**
 * RedNet (Li et al. 2021, github:d-li14/involution): mmcls's `RedNet`
 * backbone with its linear head. ResNet's layout with involution 7x7 as the
 * middle layer of every bottleneck (reduction ratio 4, 16 channels per
 * group), and a stem of conv 3x3/2 + BN + ReLU, involution 3x3, BN, ReLU,
 * conv 3x3 + BN + ReLU, max-pool. Layer names are the checkpoint's module
 * paths (`backbone.layer1.0.conv2`, `head.fc`).
 */
import {input, LayersModel, model, SymbolicTensor} from '@tensorflow/tfjs-layers';

import {Involution} from '../layers/involution_layer';
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

export interface RedNetArgs {
  depth: 26 | 38 | 50 | 101 | 152;
  /** `[H, W, 3]`, H and W multiples of 32. Default `[224, 224, 3]`. */
  inputShape?: number[];
  /** Default 1000. */
  numClasses?: number;
  /** Default true; false: the outputs of the four stages (strides 4, 8, 16, 32). */
  includeTop?: boolean;
}

const BLOCKS: Record<number, number[]> = {
  26: [1, 2, 4, 1],
  38: [2, 3, 5, 2],
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
  152: [3, 8, 36, 3],
};

/** The head's PyTorch keys, ignored when loading a checkpoint into a model without it. */
export const REDNET_HEAD_KEYS = ['head.'];

function involution(x: SymbolicTensor, name: string, kernelSize: number, strides = 1) {
  return new Involution({kernelSize, strides, name}).apply(x) as SymbolicTensor;
}

const involution7: SpatialLayer = (x, name, _width, strides) => involution(x, name, 7, strides);

function stem(image: SymbolicTensor): SymbolicTensor {
  let x = conv(image, 'backbone.stem.0.conv', {filters: 32, kernelSize: 3, strides: 2});
  x = relu(batchNorm(x, 'backbone.stem.0.bn'), 'backbone.stem.0.relu');
  x = relu(batchNorm(involution(x, 'backbone.stem.1', 3), 'backbone.stem.2'), 'backbone.stem.3');
  x = conv(x, 'backbone.stem.4.conv', {filters: 64, kernelSize: 3});
  x = relu(batchNorm(x, 'backbone.stem.4.bn'), 'backbone.stem.4.relu');
  return maxPoolAfterRelu(x, 'backbone.maxpool');
}

export function redNet(args: RedNetArgs): LayersModel {
  checkChoice('redNet', 'depth', args.depth, [26, 38, 50, 101, 152]);
  const inputShape = checkInputShape('redNet', args.inputShape);
  const numClasses = checkNumClasses('redNet', args.numClasses);
  const image = input({shape: inputShape, name: 'input'});
  const stages = resStages(stem(image), 'backbone.', BLOCKS[args.depth], () => involution7);
  const outputs =
    args.includeTop === false ? stages : classifier(stages[3], 'neck', 'head.fc', numClasses);
  return model({inputs: image, outputs, name: `rednet${args.depth}`});
}
