/**
 * Pieces the model builders share. Every layer that holds weights is named
 * after the PyTorch module it stands for (`layer2.0.conv2`), which is how
 * loadStateDict finds its keys; weightless layers get a suffix of their own.
 */
import {initializers, layers, SymbolicTensor} from '@tensorflow/tfjs-layers';

export type Shape3 = [number, number, number];

/** The input shape `[H, W, 3]`, checked: the networks downsample by 32. */
export function checkInputShape(builder: string, inputShape: number[] | undefined): Shape3 {
  const shape = inputShape ?? [224, 224, 3];
  const [h, w, c] = shape;
  if (
    shape.length !== 3 ||
    c !== 3 ||
    ![h, w].every(size => Number.isInteger(size) && size > 0 && size % 32 === 0)
  ) {
    throw new Error(
      `${builder}: inputShape must be [H, W, 3] with H and W positive multiples of 32 ` +
        `(the network downsamples by 32), got [${shape}]`,
    );
  }
  return [h, w, c];
}

export function checkNumClasses(builder: string, numClasses: number | undefined): number {
  const n = numClasses ?? 1000;
  if (!(Number.isInteger(n) && n > 0)) {
    throw new Error(`${builder}: numClasses must be a positive integer, got ${numClasses}`);
  }
  return n;
}

export function checkChoice<T>(builder: string, argument: string, value: T, choices: T[]): T {
  if (!choices.includes(value)) {
    throw new Error(`${builder}: ${argument} must be one of ${choices.join(', ')}, got ${value}`);
  }
  return value;
}

export interface ConvOptions {
  filters: number;
  kernelSize: number;
  strides?: number;
  useBias?: boolean;
}

/**
 * A PyTorch Conv2d with padding `(k - 1) / 2`: symmetric zero padding, then a
 * 'valid' convolution (tfjs's 'same' pads only the end at stride 2).
 */
export function conv(x: SymbolicTensor, name: string, options: ConvOptions): SymbolicTensor {
  const pad = (options.kernelSize - 1) / 2;
  const padded =
    pad > 0
      ? (layers.zeroPadding2d({padding: pad, name: `${name}.pad`}).apply(x) as SymbolicTensor)
      : x;
  return layers
    .conv2d({
      filters: options.filters,
      kernelSize: options.kernelSize,
      strides: options.strides ?? 1,
      padding: 'valid',
      useBias: options.useBias ?? false,
      // torchvision's He initialisation (fan-out, ReLU gain), uniform: no truncated-normal sampling.
      kernelInitializer: initializers.varianceScaling({
        scale: 2,
        mode: 'fanOut',
        distribution: 'uniform',
      }),
      name,
    })
    .apply(padded) as SymbolicTensor;
}

/** PyTorch BatchNorm2d (eps 1e-5, momentum 0.1). */
export function batchNorm(x: SymbolicTensor, name: string): SymbolicTensor {
  return layers.batchNormalization({epsilon: 1e-5, momentum: 0.9, name}).apply(x) as SymbolicTensor;
}

export function relu(x: SymbolicTensor, name: string): SymbolicTensor {
  return layers.reLU({name}).apply(x) as SymbolicTensor;
}

/**
 * PyTorch MaxPool2d(3, 2, padding 1). Its padding is -inf; zeros give the
 * same maximum here because the input follows a ReLU.
 */
export function maxPoolAfterRelu(x: SymbolicTensor, name: string): SymbolicTensor {
  const padded = layers.zeroPadding2d({padding: 1, name: `${name}.pad`}).apply(x);
  return layers
    .maxPooling2d({poolSize: 3, strides: 2, padding: 'valid', name})
    .apply(padded) as SymbolicTensor;
}

/** Global average pooling and the linear classifier. */
export function classifier(
  x: SymbolicTensor,
  poolName: string,
  fcName: string,
  numClasses: number,
): SymbolicTensor {
  const pooled = layers.globalAveragePooling2d({name: poolName}).apply(x);
  return layers.dense({units: numClasses, name: fcName}).apply(pooled) as SymbolicTensor;
}
