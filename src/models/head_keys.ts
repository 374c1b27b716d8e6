/** Each family's classification-head keys, by the model names its builder gives. */
import type {LayersModel} from '@tensorflow/tfjs-layers';

import {INTERNIMAGE_HEAD_KEYS} from './internimage';
import {REDNET_HEAD_KEYS} from './rednet';
import {RESNET_HEAD_KEYS} from './resnet';

const FAMILIES: [RegExp, string[]][] = [
  [/^resnet\d+/, RESNET_HEAD_KEYS],
  [/^rednet\d+$/, REDNET_HEAD_KEYS],
  [/^internimage_[tsb]$/, INTERNIMAGE_HEAD_KEYS],
];

/** The PyTorch keys of the head of `model`'s family (none for other models). */
export function headKeysOf(model: LayersModel): string[] {
  return FAMILIES.find(([name]) => name.test(model.name))?.[1] ?? [];
}
