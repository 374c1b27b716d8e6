/** Node test environment: tfjs core, its gradients (registered by tfjs-layers' Node bundle), the backends, the package. */
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../../src/index';

import * as tf from '@tensorflow/tfjs-core';

// Makes the engine check every kernel for leaked backend data.
tf.env().set('IS_TEST', true);
