/** The geometry of tf.depthwiseConv2d's gradients (tfjs's conv info) set on our wasm module. */
import type {backend_util} from '@tensorflow/tfjs-core';

import type {DeformWasmExports} from './deform_wasm_module';

/** Sets the module's geometry to a depthwise convolution's; returns the channel multiplier. */
export function setDepthwiseGeometry(
  module: DeformWasmExports,
  info: backend_util.Conv2DInfo,
): number {
  module.setGeometry(
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    1,
    1,
  );
  return info.outChannels / info.inChannels;
}
