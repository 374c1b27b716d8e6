/**
 * What a deformable network looks at (`tfdeform.analysis`), the DCN and DCNv2
 * papers' three tools: effective sampling locations, effective receptive
 * fields and error-bounded saliency regions, and the deformed bins of RoI
 * pooling.
 */
export {binLocations} from './bin_locations';
export type {RoIBinLocations} from './bin_locations';
export {effectiveReceptiveField, heatmap} from './receptive_field';
export {errorBoundedSaliency} from './saliency';
export type {SaliencyOptions, SaliencyRegion} from './saliency';
export {effectiveSamplingLocations, samplingLocations} from './sampling_locations';
export type {
  EffectiveSamplingLocations,
  SamplingLocations,
  SamplingOptions,
} from './sampling_locations';
export type {BinUnit, ConvUnit, Unit, UnitOptions} from './unit';
