/** Sets our wasm module to a deformable PS RoI pooling's image and attributes. */
import type {TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformPSRoIPoolAttrs} from '../../kernel_names';
import {computePsRoiPoolInfo, PsRoiPoolInfo} from '../../ops/roi_pool_util';
import type {DeformWasmExports} from './deform_wasm_module';

export function setPsRoiPoolGeometry(
  module: DeformWasmExports,
  x: TensorInfo,
  rois: TensorInfo,
  offset: TensorInfo,
  attrs: DeformPSRoIPoolAttrs,
): PsRoiPoolInfo {
  const info = computePsRoiPoolInfo(x.shape, rois.shape, offset.shape, attrs);
  module.setImage(info.height, info.width, info.channels);
  module.setPsRoiPool(
    info.outputDim,
    info.groupSize,
    info.pooledHeight,
    info.pooledWidth,
    info.partHeight,
    info.partWidth,
    info.samplesPerPart,
    info.spatialScale,
    info.transStd,
    info.classes,
  );
  return info;
}
