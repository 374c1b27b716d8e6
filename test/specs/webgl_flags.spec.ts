/**
 * The webgl kernels beyond tfjs's default flags (defined only when webgl is
 * under test): with WEBGL_PACK off, with float16 textures (looser
 * tolerance), with a tiny maximum texture size (many chunks); and the
 * input-gradient scatter: on the GPU without any download, matching the cpu
 * loops, leaving GL state as tfjs set it, and without EXT_float_blend
 * falling back to the cpu (float32 textures) or blending in float16; the
 * same three paths (fallback, float16, float16 without EXT_float_blend) for
 * the scatter of every other op (DCNv3, DeformRoIPool plain, modulated and
 * adaptive, DeformPSRoIPool) against the cpu backend's gradients.
 *
 * The backend need not be re-created: tfjs reads these flags whenever it
 * picks a program or allocates a texture. But flags derived from others are
 * cached once read (set WEBGL_RENDER_FLOAT32_ENABLED along with
 * WEBGL_FORCE_F16_TEXTURES), and a tensor uploaded under float16 textures
 * must be disposed before the flags are restored.
 */
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';

import {
  dcnv3,
  deformPsRoiPool,
  deformRoiPool,
  modulatedDeformConv2d,
  modulatedDeformRoiPool,
} from '../../src/index';
import {blendableFormat, scatterByBlending} from '../../src/kernels/webgl/scatter/blend';
import {
  deformConvScatterLayout,
  deformConvScatterSources,
} from '../../src/kernels/webgl/deform_conv_scatter';
import {webglSampling} from '../../src/kernels/webgl/deform_conv_sampling_webgl';
import {ScatterGeometryProgram} from '../../src/kernels/webgl/scatter/geometry_gpu';
import {ScatterValuesProgram} from '../../src/kernels/webgl/scatter/values_gpu';
import {deformCol2im} from '../../src/kernels/reference/deform_sampling';
import {computeDeformConvInfo} from '../../src/shape/deform_conv';
import {ADAPTIVE, adaptiveInputs} from '../util/adaptive_roi';
import {describeBackend, onCpu} from '../util/backends';
import {expectClose, Tolerance} from '../util/expect';
import {checkGradients} from '../util/finite_diff';
import {ortCases, runOrtCase} from '../util/ort_cases';
import {nonIntegerOffsets, rng, uniform} from '../util/random';

/** A float32 texture's sums differ from cpu's only by rounding order. */
const F32 = {atol: 2e-5, rtol: 1e-4};
/**
 * float16 textures keep 11 significant bits: every stored intermediate
 * (columns, matmul outputs, the accumulated dx) is rounded to ~5e-4
 * relative; over these sums of a few dozen terms the worst errors measured
 * were 3e-3 (outputs) and 5e-3 (gradients), against 1e-6 with float32.
 */
const F16 = {atol: 1e-2, rtol: 1e-2};

function webglBackend(): MathBackendWebGL {
  return tf.backend() as MathBackendWebGL;
}

/**
 * Runs `fn` with tfjs flags set, restoring their previous values after it
 * (and its asynchronous reads, which download and release textures under the
 * flags) has finished.
 */
async function withFlags(
  flags: Record<string, number | boolean>,
  fn: () => void | Promise<void>,
): Promise<void> {
  const saved = Object.keys(flags).map(name => [name, tf.env().get(name)] as const);
  try {
    Object.entries(flags).forEach(([name, value]) => tf.env().set(name, value));
    await fn();
  } finally {
    saved.forEach(([name, value]) => tf.env().set(name, value));
  }
}

const common = {
  strides: [2, 1] as [number, number],
  pad: [
    [1, 0],
    [2, 1],
  ] as [[number, number], [number, number]],
  dilations: [1, 2] as [number, number],
  groups: 2,
  offsetGroups: 2,
};

/** x [2, 6, 5, 4], kernel 2x3, mask, bias: every input has a gradient. */
function gradientInputs(): tf.Tensor[] {
  const random = rng(17);
  return [
    uniform(random, [2, 6, 5, 4]),
    uniform(random, [2, 3, 2, 4]),
    nonIntegerOffsets(random, [2, 3, 4, 24]),
    uniform(random, [2, 3, 4, 12], 0.2, 1),
    uniform(random, [4]),
  ];
}

const op = (x: tf.Tensor, filter: tf.Tensor, offset: tf.Tensor, mask: tf.Tensor, bias: tf.Tensor) =>
  modulatedDeformConv2d({x, filter, offset, mask, bias, ...common});

/** Gradients of `sum(op(...)²)` for every input, as arrays (backend-independent). */
async function gradients(inputs: tf.Tensor[]): Promise<number[][]> {
  const grads = tf.grads((x, f, o, m, b) => tf.sum(tf.square(op(x, f, o, m, b))))(inputs);
  const values = await readAll(grads);
  tf.dispose(grads);
  return values;
}

/** The tensors' values as arrays, read asynchronously (test/util/expect.ts says why). */
async function readAll(tensors: tf.Tensor[]): Promise<number[][]> {
  return (await Promise.all(tensors.map(t => t.data()))).map(v => Array.from(v));
}

/** The gradients of {@link gradientInputs} on the cpu backend. */
async function cpuGradients(): Promise<number[][]> {
  const backend = tf.getBackend();
  await tf.setBackend('cpu');
  const inputs = gradientInputs();
  try {
    return await gradients(inputs);
  } finally {
    tf.dispose(inputs);
    await tf.setBackend(backend);
  }
}

async function expectOrtCases(tol: Tolerance): Promise<void> {
  for (const c of ortCases.slice(0, 12)) {
    const [y, expected] = tf.tidy(() => [
      runOrtCase(c),
      tf.tensor(c.expected.data, c.expected.shape),
    ]);
    await expectClose(y, expected, tol, c.name);
    tf.dispose([y, expected]);
  }
}

async function expectGradients(actual: number[][], expected: number[][], tol: Tolerance) {
  const names = ['dx', 'dFilter', 'dOffset', 'dMask', 'dBias'];
  for (const [i, g] of actual.entries()) {
    await expectClose(g, expected[i], tol, names[i]);
  }
}

/** GL state tfjs may rely on, objects compared by identity, values by value. */
function glState(gl: WebGL2RenderingContext): unknown[] {
  const state: unknown[] = [
    gl.DRAW_FRAMEBUFFER_BINDING,
    gl.READ_FRAMEBUFFER_BINDING,
    gl.CURRENT_PROGRAM,
    gl.VERTEX_ARRAY_BINDING,
    gl.ARRAY_BUFFER_BINDING,
    gl.ELEMENT_ARRAY_BUFFER_BINDING,
    gl.VIEWPORT,
    gl.SCISSOR_BOX,
    gl.SCISSOR_TEST,
    gl.CULL_FACE,
    gl.BLEND,
    gl.BLEND_EQUATION_RGB,
    gl.BLEND_EQUATION_ALPHA,
    gl.BLEND_SRC_RGB,
    gl.BLEND_DST_RGB,
    gl.BLEND_SRC_ALPHA,
    gl.BLEND_DST_ALPHA,
    gl.COLOR_WRITEMASK,
    gl.COLOR_CLEAR_VALUE,
    gl.ACTIVE_TEXTURE,
  ].map(p => gl.getParameter(p));
  const active = gl.getParameter(gl.ACTIVE_TEXTURE);
  for (let unit = 0; unit < 4; unit++) {
    gl.activeTexture(gl.TEXTURE0 + unit);
    state.push(gl.getParameter(gl.TEXTURE_BINDING_2D));
    state.push(gl.getVertexAttrib(unit, gl.VERTEX_ATTRIB_ARRAY_ENABLED));
  }
  gl.activeTexture(active);
  return state.map(v => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
}

describeBackend('webgl', 'webgl kernels', () => {
  it('scatter dx on the GPU: no download, no GL error', async () => {
    const backend = webglBackend();
    const gl = backend.gpgpu.gl;
    const inputs = gradientInputs();
    const expected = tf.tidy(() =>
      tf.grads((x, f, o, m, b) => tf.sum(tf.square(op(x, f, o, m, b))))(inputs),
    );
    const readSync = spyOn(backend, 'readSync').and.callThrough();
    const read = spyOn(backend, 'read').and.callThrough();
    const grads = tf.grads((x, f, o, m, b) => tf.sum(tf.square(op(x, f, o, m, b))))(inputs);
    expect(readSync).not.toHaveBeenCalled();
    expect(read).not.toHaveBeenCalled();
    expect(gl.getError()).toBe(gl.NO_ERROR);
    readSync.and.callThrough();
    for (const [i, g] of grads.entries()) {
      await expectClose(g, expected[i], {atol: 0, rtol: 0}, `grad ${i}`);
    }
    tf.dispose([inputs, expected, grads]);
  });

  // C = 2: a near-square accumulator, runs across texture rows; C = 8, D = 2:
  // one pixel per texture row, one quad per run.
  for (const [channels, offsetGroups] of [
    [2, 1],
    [8, 2],
  ]) {
    it(
      `scatter (C = ${channels}, D = ${offsetGroups}) matches the cpu loops, ` +
        'restores the GL state',
      async () => {
        const backend = webglBackend();
        const gl = backend.gpgpu.gl as WebGL2RenderingContext;
        const info = computeDeformConvInfo([1, 4, 5, channels], [3, 3, channels, 2], {
          strides: [1, 1],
          pad: [
            [1, 1],
            [1, 1],
          ],
          dilations: [1, 1],
          groups: 1,
          offsetGroups,
        });
        const random = rng(5);
        const offset = nonIntegerOffsets(random, [1, 4, 5, 18 * offsetGroups]);
        const mask = uniform(random, [1, 4, 5, 9 * offsetGroups], 0, 1);
        const [rowStart, rowCount, depth] = [3, 12, 9 * channels];
        const dCols = uniform(random, [1, rowCount, depth]);
        const run = (program: ScatterGeometryProgram | ScatterValuesProgram, inputs: tf.Tensor[]) =>
          backend.runWebGLProgram(program, inputs, 'float32', [[rowStart]]);
        const layout = deformConvScatterLayout(info);
        const sources = deformConvScatterSources(info, dCols, offset, mask);
        const geometry = run(new ScatterGeometryProgram(rowCount, layout, sources.geometry), [
          offset,
        ]);
        const values = run(new ScatterValuesProgram(rowCount, layout, sources.values), [
          dCols,
          mask,
        ]);
        // Unusual values tfjs would never set, so a reset to defaults shows.
        gl.blendFuncSeparate(gl.SRC_ALPHA, gl.DST_ALPHA, gl.ONE, gl.ZERO);
        gl.viewport(1, 2, 3, 4);
        gl.activeTexture(gl.TEXTURE3);
        const before = glState(gl);
        // The import into a tfjs tensor comes last and sets state of its own.
        let after: unknown[] = [];
        const writeTexture = backend.writeTexture.bind(backend);
        spyOn(backend, 'writeTexture').and.callFake((...args: Parameters<typeof writeTexture>) => {
          after = glState(gl);
          return writeTexture(...args);
        });
        const dx = scatterByBlending(backend, layout, blendableFormat(backend)!, {
          values,
          geometry,
          rowStart,
          rowCount,
        });
        after.forEach((v, i) => expect(v).withContext(`state ${i}`).toEqual(before[i]));
        after.forEach(
          (v, i) =>
            typeof v === 'object' &&
            v != null &&
            !Array.isArray(v) &&
            expect(v)
              .withContext(`object ${i}`)
              .toBe(before[i] as object),
        );
        expect(gl.getError()).toBe(gl.NO_ERROR);

        const reference = new Float32Array(20 * channels);
        const [dColsValues, offsetValues, maskValues] = await Promise.all(
          [dCols, offset, mask].map(t => t.data() as Promise<Float32Array>),
        );
        deformCol2im(info, dColsValues, offsetValues, maskValues, rowStart, rowCount, reference);
        const result = tf.engine().makeTensorFromTensorInfo(dx);
        await expectClose(result, Array.from(reference), F32, 'dx');
        [geometry, values].forEach(t => backend.disposeIntermediateTensorInfo(t));
        tf.dispose([offset, mask, dCols, result]);
      },
    );
  }

  it('fall back to the cpu for dx where float32 targets cannot blend', async () => {
    const gl = webglBackend().gpgpu.gl;
    const expected = await cpuGradients();
    const inputs = gradientInputs();
    const getExtension = gl.getExtension.bind(gl);
    spyOn(gl, 'getExtension').and.callFake(((name: string) =>
      name === 'EXT_float_blend' ? null : getExtension(name)) as typeof gl.getExtension);
    const readSync = spyOn(webglBackend(), 'readSync').and.callThrough();
    const grads = tf.grads((x, f, o, m, b) => tf.sum(tf.square(op(x, f, o, m, b))))(inputs);
    expect(readSync).withContext('downloads before the results are read').toHaveBeenCalled();
    await expectGradients(await readAll(grads), expected, F32);
    tf.dispose([inputs, grads]);
  });

  describe('with WEBGL_PACK false', () => {
    it('match onnxruntime, the cpu gradients and finite differences', async () => {
      const expected = await cpuGradients();
      await withFlags({WEBGL_PACK: false}, async () => {
        const inputs = gradientInputs();
        await expectOrtCases(F32);
        await expectGradients(await gradients(inputs), expected, F32);
        await checkGradients(op, inputs, ['x', 'filter', 'offset', 'mask', 'bias'], {entries: 4});
        tf.dispose(inputs);
      });
    });
  });

  describe('with float16 textures (WEBGL_FORCE_F16_TEXTURES)', () => {
    it('match onnxruntime and the cpu gradients, to float16 precision', async () => {
      const expected = await cpuGradients();
      // The derived flags are cached once read: set them too. Tensors put on
      // the GPU inside must be disposed (and read) inside (their textures are float16).
      await withFlags(
        {
          WEBGL_FORCE_F16_TEXTURES: true,
          WEBGL_RENDER_FLOAT32_ENABLED: false,
          WEBGL_SIZE_UPLOAD_UNIFORM: 0,
        },
        async () => {
          const inputs = gradientInputs();
          await expectOrtCases(F16);
          await expectGradients(await gradients(inputs), expected, F16);
          tf.dispose(inputs);
        },
      );
    });

    it('blend dx in float16 where float32 targets cannot blend', async () => {
      const gl = webglBackend().gpgpu.gl;
      const expected = await cpuGradients();
      const getExtension = gl.getExtension.bind(gl);
      spyOn(gl, 'getExtension').and.callFake(((name: string) =>
        name === 'EXT_float_blend' ? null : getExtension(name)) as typeof gl.getExtension);
      const readSync = spyOn(webglBackend(), 'readSync').and.callThrough();
      await withFlags(
        {
          WEBGL_FORCE_F16_TEXTURES: true,
          WEBGL_RENDER_FLOAT32_ENABLED: false,
          WEBGL_SIZE_UPLOAD_UNIFORM: 0,
        },
        async () => {
          const inputs = gradientInputs();
          const grads = tf.grads((x, f, o, m, b) => tf.sum(tf.square(op(x, f, o, m, b))))(inputs);
          expect(readSync).withContext('no cpu fallback').not.toHaveBeenCalled();
          await expectGradients(await readAll(grads), expected, F16);
          tf.dispose([inputs, grads]);
        },
      );
    });
  });

  describe('with a 32x32 maximum texture size', () => {
    it('chunk the columns to fit and give the same results', async () => {
      const random = rng(23);
      const inputs = [
        uniform(random, [1, 6, 6, 8]),
        uniform(random, [3, 3, 8, 4]),
        nonIntegerOffsets(random, [1, 6, 6, 18]),
        uniform(random, [1, 6, 6, 9], 0.2, 1),
      ];
      const f = (x: tf.Tensor, filter: tf.Tensor, offset: tf.Tensor, mask: tf.Tensor) =>
        tf.sum(tf.square(modulatedDeformConv2d({x, filter, offset, mask, pad: 1})));
      const whole = tf.grads(f)(inputs);
      const im2col = spyOn(webglSampling, 'im2col').and.callThrough();
      await withFlags({WEBGL_MAX_TEXTURE_SIZE: 32}, async () => {
        const chunked = tf.grads(f)(inputs);
        // 36 output positions of 72 column entries; 1024 texels hold 14.
        expect(im2col.calls.allArgs().map(args => args[6])).toEqual([14, 14, 8, 14, 14, 8]);
        for (const [i, g] of chunked.entries()) {
          await expectClose(g, whole[i], F32, `grad ${i}`);
        }
        tf.dispose(chunked);
      });
      tf.dispose([inputs, whole]);
    });
  });
});

/** One op whose input gradient is a scatter: its inputs (seeded) and the loss `Σ op(...) · w`. */
interface ScatterOp {
  name: string;
  /** The differentiable inputs, then the other tensors of `loss`. */
  inputs(): {wrt: tf.Tensor[]; names: string[]; rest: tf.Tensor[]};
  loss(wrt: tf.Tensor[], rest: tf.Tensor[]): tf.Tensor;
}

const weighted = (y: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(y, w));

const SCATTER_OPS: ScatterOp[] = [
  {
    name: 'dcnv3',
    inputs() {
      const random = rng(31);
      return {
        wrt: [
          uniform(random, [2, 5, 6, 4]),
          nonIntegerOffsets(random, [2, 3, 5, 2 * 2 * 6]),
          uniform(random, [2, 3, 5, 12], 0.2, 1),
        ],
        names: ['dx', 'dOffset', 'dMask'],
        rest: [uniform(random, [2, 3, 5, 4])],
      };
    },
    loss: ([x, offset, mask], [w]) =>
      weighted(
        dcnv3({
          x,
          offset,
          mask,
          kernelSize: [3, 2],
          strides: [2, 1],
          pad: [
            [1, 1],
            [1, 0],
          ],
          dilations: [1, 2],
          groups: 2,
        }),
        w,
      ),
  },
  {
    name: 'deformRoiPool',
    inputs() {
      const random = rng(32);
      return {
        wrt: [uniform(random, [2, 9, 10, 3]), uniform(random, [3, 2, 3, 2], -0.15, 0.15)],
        names: ['dx', 'dOffset'],
        rest: [
          tf.tensor2d([
            [1, 2.3, 1.7, 7.1, 6.2],
            [0, 1.6, 2.2, 5.4, 7.3],
            [1, 3.1, 2.9, 6.3, 5.8],
          ]),
          uniform(random, [3, 2, 3, 3]),
        ],
      };
    },
    loss: ([x, offset], [rois, w]) =>
      weighted(deformRoiPool({x, rois, offset, outputSize: [2, 3], samplingRatio: 2}), w),
  },
  {
    // Adaptive sampling, RoIs of grids 1x1 to 4x2 per bin, samples away from every seam
    // (float16 moves the RoIs a little).
    name: 'modulatedDeformRoiPool (adaptive sampling)',
    inputs() {
      const {x, rois, offset, mask, weights} = adaptiveInputs(33);
      return {
        wrt: [x, offset, mask],
        names: ['dx', 'dOffset', 'dMask'],
        rest: [tf.tensor2d(rois), weights],
      };
    },
    loss: ([x, offset, mask], [rois, w]) =>
      weighted(modulatedDeformRoiPool({x, rois, offset, mask, ...ADAPTIVE}), w),
  },
  {
    name: 'deformPsRoiPool',
    inputs() {
      const random = rng(34);
      return {
        wrt: [uniform(random, [2, 8, 8, 8]), uniform(random, [2, 2, 2, 4], 0, 0.5)],
        names: ['dx', 'dOffset'],
        rest: [
          tf.tensor2d([
            [0, 1, 1, 4, 4],
            [1, 2, 1, 5, 4],
          ]),
          uniform(random, [2, 2, 2, 2]),
        ],
      };
    },
    loss: ([x, offset], [rois, w]) =>
      weighted(
        deformPsRoiPool({
          x,
          rois,
          offset,
          outputDim: 2,
          groupSize: 2,
          outputSize: 2,
          samplesPerPart: 2,
          transStd: 0.1,
        }),
        w,
      ),
  },
];

/**
 * The gradients of `op`'s loss on the active backend (webgl), as arrays read
 * asynchronously (test/util/expect.ts says why), and whether x was downloaded.
 */
async function scatterGradients(
  op: ScatterOp,
): Promise<{grads: number[][]; names: string[]; xRead: boolean}> {
  const {wrt, names, rest} = op.inputs();
  const readSync = spyOn(webglBackend(), 'readSync').and.callThrough();
  try {
    const tensors = tf.grads((...t: tf.Tensor[]) => op.loss(t, rest))(wrt);
    const grads = await readAll(tensors);
    tf.dispose(tensors);
    // Only the cpu fallback downloads x (the RoI ops read their RoIs back, never x).
    const xRead = readSync.calls.allArgs().some(([dataId]) => dataId === wrt[0].dataId);
    return {grads, names, xRead};
  } finally {
    tf.dispose([...wrt, ...rest]);
  }
}

/**
 * The gradients of `op`'s loss on the cpu backend, inside {@link onCpu}: read
 * synchronously (a cpu read is safe), before onCpu switches back.
 */
function cpuScatterGradients(op: ScatterOp): number[][] {
  const {wrt, rest} = op.inputs();
  try {
    return tf.tidy(() =>
      tf
        .grads((...t: tf.Tensor[]) => op.loss(t, rest))(wrt)
        .map(g => Array.from(g.dataSync())),
    );
  } finally {
    tf.dispose([...wrt, ...rest]);
  }
}

describeBackend('webgl', 'webgl scatters of every op', () => {
  const F16_FLAGS = {
    WEBGL_FORCE_F16_TEXTURES: true,
    WEBGL_RENDER_FLOAT32_ENABLED: false,
    WEBGL_SIZE_UPLOAD_UNIFORM: 0,
  };
  const paths: Array<{
    name: string;
    blend: boolean;
    flags: Record<string, number | boolean>;
    tol: Tolerance;
    fallback: boolean;
  }> = [
    {
      name: 'without EXT_float_blend: the cpu fallback',
      blend: false,
      flags: {},
      tol: F32,
      fallback: true,
    },
    {name: 'with float16 textures', blend: true, flags: F16_FLAGS, tol: F16, fallback: false},
    {
      name: 'with float16 textures without EXT_float_blend: blending in float16',
      blend: false,
      flags: F16_FLAGS,
      tol: F16,
      fallback: false,
    },
  ];

  for (const op of SCATTER_OPS) {
    describe(op.name, () => {
      let expected: number[][] = [];
      beforeAll(async () => {
        expected = await onCpu(() => cpuScatterGradients(op));
      });

      for (const path of paths) {
        it(`matches the cpu gradients ${path.name}`, async () => {
          if (!path.blend) {
            const gl = webglBackend().gpgpu.gl;
            const getExtension = gl.getExtension.bind(gl);
            spyOn(gl, 'getExtension').and.callFake(((name: string) =>
              name === 'EXT_float_blend' ? null : getExtension(name)) as typeof gl.getExtension);
          }
          await withFlags(path.flags, async () => {
            const {grads, names, xRead} = await scatterGradients(op);
            expect(xRead)
              .withContext(path.fallback ? 'x downloaded for the cpu fallback' : 'no cpu fallback')
              .toBe(path.fallback);
            expect(grads.length).toBe(expected.length);
            for (const [i, g] of grads.entries()) {
              // The absolute tolerance relative to the gradient's scale (0.17 to 1.2 here), so a
              // few per cent off shows even in small gradients.
              const scale = Math.max(...expected[i].map(Math.abs));
              const tol = {atol: path.tol.atol! * scale, rtol: path.tol.rtol};
              await expectClose(g, expected[i], tol, `${names[i]} (scale ${scale.toFixed(3)})`);
            }
          });
        });
      }
    });
  }
});
