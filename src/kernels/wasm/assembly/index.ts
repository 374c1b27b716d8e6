/** Entry of tfjs-deform's wasm module (scripts/build_wasm.ts): every pass it exports. */
export {setGeometry, setImage} from './geometry';
export * from './deform_conv';
export * from './dcnv3';
export * from './involution';
export * from './depthwise_conv';
export * from './deform_roi_pool';
export * from './deform_ps_roi_pool';
