/**
 * Initializers, regularizers, constraints and activations given to our layers
 * as tfjs-layers' own layers take them (an instance, a Keras identifier such
 * as 'glorotUniform' or 'relu', or a serialized `{className, config}`),
 * resolved through tfjs's serialization registry, which tfjs-layers fills.
 */
import {serialization} from '@tensorflow/tfjs-core';
import {regularizers} from '@tensorflow/tfjs-layers';

export type KerasIdentifier = string | serialization.ConfigDict | serialization.Serializable;

export type Kind = 'initializer' | 'regularizer' | 'constraint' | 'activation';

/** Keras' string shortcuts whose class name is not the capitalised identifier. */
const REGULARIZERS: Record<string, () => serialization.Serializable> = {
  l1: () => regularizers.l1(),
  l2: () => regularizers.l2(),
  l1l2: () => regularizers.l1l2(),
};

function isSerializable(value: unknown): value is serialization.Serializable {
  return (
    value != null &&
    typeof value === 'object' &&
    typeof (value as serialization.Serializable).getClassName === 'function'
  );
}

/** The object for an identifier, or null when it is null/undefined. */
export function resolveKeras<T extends serialization.Serializable>(
  layer: string,
  kind: Kind,
  value: KerasIdentifier | null | undefined,
): T | null {
  if (value == null) {
    return null;
  }
  if (isSerializable(value)) {
    return value as T;
  }
  if (kind === 'regularizer' && typeof value === 'string' && REGULARIZERS[value]) {
    return REGULARIZERS[value]() as T;
  }
  const className =
    typeof value === 'string'
      ? kind === 'activation'
        ? value
        : value[0].toUpperCase() + value.slice(1)
      : (value.className as string);
  const config = typeof value === 'string' ? {} : (value.config ?? {});
  const entry = serialization.SerializationMap.getMap().classNameMap[className];
  if (entry == null) {
    throw new Error(`${layer}: unknown ${kind} ${JSON.stringify(value)}`);
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config as serialization.ConfigDict) as T;
}

/** `{className, config}` of an object (null stays null), as model.save writes it. */
export function serializeKeras(
  value: serialization.Serializable | null,
): serialization.ConfigDict | null {
  return value == null ? null : {className: value.getClassName(), config: value.getConfig()};
}
