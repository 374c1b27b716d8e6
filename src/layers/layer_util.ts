/** Small tensor pieces the composite layers share. */
import {add, matMul, moments, reshape, rsqrt, sub, mul, Tensor} from '@tensorflow/tfjs-core';

/** `x · kernel (+ bias)` over the last axis (a PyTorch Linear / 1x1 convolution, channels-last). */
export function denseLastAxis(x: Tensor, kernel: Tensor, bias?: Tensor): Tensor {
  const channels = x.shape[x.rank - 1] as number;
  const y = matMul(reshape(x, [-1, channels]), kernel);
  const out = reshape(y, [...x.shape.slice(0, -1), kernel.shape[1] as number]);
  return bias ? add(out, bias) : out;
}

/** `(x - mean) / sqrt(variance + epsilon) * gamma + beta`, statistics broadcast over the channel axis. */
export function normalize(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  epsilon: number,
  gamma: Tensor,
  beta: Tensor,
): Tensor {
  return add(mul(mul(sub(x, mean), rsqrt(add(variance, epsilon))), gamma), beta);
}

/** LayerNorm over the channel (last) axis. */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  const {mean, variance} = moments(x, -1, true);
  return normalize(x, mean, variance, epsilon, gamma, beta);
}
