/** Sets our wasm module to a deformable PS RoI pooling's image and attributes. */
import type {TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformPSRoIPoolAttrs} from '../../kernel_names';
import {computePSRoIPoolInfo, PSRoIPoolInfo} from '../../shape/roi_pool';
import type {DeformWasmExports} from './deform_wasm_module';

export function setPsRoiPoolGeometry(
  module: DeformWasmExports,
  x: TensorInfo,
  rois: TensorInfo,
  offset: TensorInfo,
  attrs: DeformPSRoIPoolAttrs,
): PSRoIPoolInfo {
  const info = computePSRoIPoolInfo(x.shape, rois.shape, offset.shape, attrs);
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
