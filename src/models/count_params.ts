/** Parameter counts as PyTorch gives them. */
import type {LayersModel} from '@tensorflow/tfjs-layers';

/**
 * The model's parameter count as PyTorch's `sum(p.numel() for p in
 * model.parameters())`: all weights but BatchNorm's running statistics
 * (buffers in PyTorch; tfjs's `countParams()` includes them).
 */
export function countParams(model: LayersModel): number {
  return model.weights
    .filter(w => !/\/(bn_)?moving_(mean|variance)$/.test(w.originalName))
    .reduce((sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}
