/**
 * The ResNet bottleneck and stage layout that ResNet and RedNet share
 * (torchvision's / mmcls's `style='pytorch'`: the stride sits on the middle
 * layer): 1x1 conv, BN, ReLU, the spatial layer, BN, ReLU, 1x1 conv to
 * `4 · width`, BN, plus the identity (a strided 1x1 conv + BN where the
 * shape changes), ReLU.
 */
import {layers, SymbolicTensor} from '@tensorflow/tfjs-layers';

import {batchNorm, conv, relu} from './blocks';

/** The middle layer of a bottleneck (`width` channels in and out), named `name`. */
export type SpatialLayer = (
  x: SymbolicTensor,
  name: string,
  width: number,
  strides: number,
) => SymbolicTensor;

const EXPANSION = 4;
const STAGE_WIDTHS = [64, 128, 256, 512];

function bottleneck(
  x: SymbolicTensor,
  prefix: string,
  width: number,
  strides: number,
  spatial: SpatialLayer,
): SymbolicTensor {
  const channelsIn = x.shape[3] as number;
  const channelsOut = width * EXPANSION;
  let y = relu(
    batchNorm(conv(x, `${prefix}conv1`, {filters: width, kernelSize: 1}), `${prefix}bn1`),
    `${prefix}relu1`,
  );
  y = relu(
    batchNorm(spatial(y, `${prefix}conv2`, width, strides), `${prefix}bn2`),
    `${prefix}relu2`,
  );
  y = batchNorm(conv(y, `${prefix}conv3`, {filters: channelsOut, kernelSize: 1}), `${prefix}bn3`);
  let identity = x;
  if (strides !== 1 || channelsIn !== channelsOut) {
    identity = batchNorm(
      conv(x, `${prefix}downsample.0`, {filters: channelsOut, kernelSize: 1, strides}),
      `${prefix}downsample.1`,
    );
  }
  const sum = layers.add({name: `${prefix}add`}).apply([y, identity]) as SymbolicTensor;
  return relu(sum, `${prefix}relu3`);
}

/**
 * The four stages `layer1`..`layer4` (under `prefix`) of `blocks[i]`
 * bottlenecks; stage `i` uses `spatialOf(i)`. Returns each stage's output.
 */
export function resStages(
  x: SymbolicTensor,
  prefix: string,
  blocks: number[],
  spatialOf: (stage: number) => SpatialLayer,
): SymbolicTensor[] {
  const outputs: SymbolicTensor[] = [];
  blocks.forEach((count, stage) => {
    for (let b = 0; b < count; b++) {
      const strides = b === 0 && stage > 0 ? 2 : 1;
      x = bottleneck(
        x,
        `${prefix}layer${stage + 1}.${b}.`,
        STAGE_WIDTHS[stage],
        strides,
        spatialOf(stage),
      );
    }
    outputs.push(x);
  });
  return outputs;
}
