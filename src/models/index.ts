/** Whole networks of the seed papers as tfjs LayersModels (`tfdeform.models`). */
export {countParams} from './count_params';
export {internImage} from './internimage';
export type {InternImageArgs} from './internimage';
export {ChannelLayerNorm} from './layer_norm';
export {LayerScale} from './layer_scale';
export {redNet} from './rednet';
export type {RedNetArgs} from './rednet';
export {resNet} from './resnet';
export type {ResNetArgs, ResNetDcnArgs} from './resnet';
