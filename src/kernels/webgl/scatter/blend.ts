/**
 * An input gradient's scatter on WebGL2, by additive blending, shared by
 * every op whose input gradient is a scatter of bilinear samples (DCNv1/v2,
 * DCNv3): drawn with `blendFunc(ONE, ONE)` into a float RGBA texture of our
 * own, so the GPU's blender does the `+=` that a fragment shader cannot. The
 * texture is laid out densely (flat element `i` in component `i % 4` of
 * texel `i / 4`, texels row major), which is what tfjs's public WebGLData
 * import (`backend.writeTexture`, behind `tf.tensor({texture, ...})`)
 * converts into an ordinary tfjs tensor; afterwards the texture is deleted.
 * So nothing here depends on how tfjs lays out its own textures, and four
 * channels share one fragment. Float32 targets need EXT_float_blend to
 * blend, float16 ones blend in core WebGL2 (used only when tfjs itself
 * renders float16); the ops fall back to the cpu otherwise.
 *
 * The op describes its samples by two unpacked textures made by our own
 * programs just before, never a tfjs input directly, whose layout (packed,
 * sliced, uniform) could vary: where each sample lands
 * (scatter_geometry_gpu.ts) and what it adds to each channel of its run
 * (scatter_values_gpu.ts); a {@link ScatterLayout} says which pixel and
 * channels that is. One strip one texel high per (sample, corner): a
 * sample's corner pixel receives a run of consecutive channels, consecutive
 * elements of `dx` (NHWC); a run crossing texture rows takes one draw per
 * row ("piece"), usually one draw in all. The strip is drawn as one
 * triangle covering it (half the vertices of a quad, ~20% faster in
 * SwiftShader, where vertices dominate; instanced quads, or one point per
 * element, are several times slower). No vertex attributes: everything
 * derives from `gl_VertexID`.
 */
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {env, TensorInfo} from '@tensorflow/tfjs-core';

import {withGlStateRestored} from './gl_state';

const VERTEX_SHADER = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;

uniform sampler2D geometry;  // [rowCount, samplesPerRow, 4]: floor y, floor x, ly, lx
uniform int geometryWidth;
uniform ivec2 targetSize;    // accumulator texture, in texels: width, height
uniform ivec4 image;         // H, W, C, rowsPerImage
uniform ivec2 samples;       // samplesPerChannelGroup, samplesPerRow
uniform ivec3 chunk;         // rowStart, run, piece: which texture row of a run
flat out float weight;
flat out int firstElement;   // flat index in dx of the run's first channel
flat out int rowTap;         // the sample: row in chunk * samplesPerRow + t
flat out int textureRow;     // the one row of the target the strip covers

float fetchGeometry(int i) {
  return texelFetch(geometry, ivec2(i % geometryWidth, i / geometryWidth), 0).r;
}

// A right triangle twice the strip's width and height, as (right?, top?) per
// vertex: it covers the strip with half the vertices of a quad. Of the
// fragments outside the strip, those of the next texture row (which may
// belong to the run's next piece) are discarded, those after the run's end
// in its row add 0.
const ivec2 TRIANGLE[3] = ivec2[3](ivec2(0, 0), ivec2(2, 0), ivec2(0, 2));

void main() {
  int strip = gl_VertexID / 3;
  int corner = strip % 4;
  rowTap = strip / 4;
  int y = int(fetchGeometry(4 * rowTap)) + corner / 2;
  int x = int(fetchGeometry(4 * rowTap + 1)) + corner % 2;
  float ly = fetchGeometry(4 * rowTap + 2);
  float lx = fetchGeometry(4 * rowTap + 3);
  weight = (corner / 2 == 1 ? ly : 1.0 - ly) * (corner % 2 == 1 ? lx : 1.0 - lx);
  // Nothing to add: a degenerate triangle outside the clip volume, dropped.
  gl_Position = vec4(2.0, 2.0, 0.0, 1.0);
  if (y < 0 || y >= image.x || x < 0 || x >= image.y || weight == 0.0) {
    return;
  }
  int n = (chunk.x + rowTap / samples.y) / image.w;
  firstElement = ((n * image.x + y) * image.y + x) * image.z +
      ((rowTap % samples.y) / samples.x) * chunk.y;
  int firstTexel = firstElement / 4;
  int endTexel = (firstElement + chunk.y + 3) / 4;
  textureRow = firstTexel / targetSize.x + chunk.z;
  int left = max(firstTexel - textureRow * targetSize.x, 0);
  int right = min(endTexel - textureRow * targetSize.x, targetSize.x);
  if (left >= right) {
    return;
  }
  ivec2 vertex = TRIANGLE[gl_VertexID % 3];
  vec2 position = vec2(left + vertex.x * (right - left), textureRow + vertex.y);
  gl_Position = vec4(position / vec2(targetSize) * 2.0 - 1.0, 0.0, 1.0);
}
`;

const FRAGMENT_SHADER = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;

uniform sampler2D values;    // [rowCount, samplesPerRow / samplesPerValue, run]
uniform int valuesWidth;
uniform int samplesPerValue;
uniform ivec2 targetSize;
uniform ivec3 chunk;
flat in float weight;
flat in int firstElement;
flat in int rowTap;
flat in int textureRow;
out vec4 result;

void main() {
  ivec2 texel = ivec2(gl_FragCoord.xy);
  if (texel.y != textureRow) {
    discard;
  }
  // Index in the run of the texel's first element; its 4 elements follow.
  int first = (texel.y * targetSize.x + texel.x) * 4 - firstElement;
  // The values of the texel's elements are consecutive too: locate the
  // first of the run once, then step (integer division is slow in
  // SwiftShader).
  int start = max(first, 0);
  int entry = (rowTap / samplesPerValue) * chunk.y + start;
  ivec2 at = ivec2(entry % valuesWidth, entry / valuesWidth);
  vec4 texelValues = vec4(0.0);
  for (int j = 0; j < 4; j++) {
    int i = first + j;
    if (i >= start && i < chunk.y) {
      texelValues[j] = weight * texelFetch(values, at, 0).r;
      at = at.x + 1 < valuesWidth ? ivec2(at.x + 1, at.y) : ivec2(0, at.y + 1);
    }
  }
  result = texelValues;
}
`;

const UNIFORMS = [
  'geometry',
  'geometryWidth',
  'targetSize',
  'image',
  'samples',
  'chunk',
  'values',
  'valuesWidth',
  'samplesPerValue',
] as const;
type UniformName = (typeof UNIFORMS)[number];

/** What the scatter needs in one WebGL context, made on first use. */
interface ScatterResources {
  program: WebGLProgram;
  uniforms: Record<UniformName, WebGLUniformLocation | null>;
  /** Empty: the triangles need no vertex attributes. */
  vertexArray: WebGLVertexArrayObject;
  framebuffer: WebGLFramebuffer;
}

const resourcesByContext = new WeakMap<WebGL2RenderingContext, ScatterResources>();

function compileShader(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type)!;
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
    throw new Error(
      `tfjs-deform: scatter shader failed to compile: ${gl.getShaderInfoLog(shader)}`,
    );
  }
  return shader;
}

function resources(gl: WebGL2RenderingContext): ScatterResources {
  let made = resourcesByContext.get(gl);
  if (made == null) {
    const program = gl.createProgram()!;
    gl.attachShader(program, compileShader(gl, gl.VERTEX_SHADER, VERTEX_SHADER));
    gl.attachShader(program, compileShader(gl, gl.FRAGMENT_SHADER, FRAGMENT_SHADER));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
      throw new Error(
        `tfjs-deform: scatter program failed to link: ${gl.getProgramInfoLog(program)}`,
      );
    }
    const uniforms = Object.fromEntries(
      UNIFORMS.map(name => [name, gl.getUniformLocation(program, name)]),
    );
    made = {
      program,
      uniforms: uniforms as ScatterResources['uniforms'],
      vertexArray: gl.createVertexArray()!,
      framebuffer: gl.createFramebuffer()!,
    };
    resourcesByContext.set(gl, made);
  }
  return made;
}

/**
 * The accumulator's internal format, or null when no float format both
 * renders and blends at tfjs's precision (see the file comment). Asking for
 * an extension is also what enables it.
 */
export function blendableFormat(backend: MathBackendWebGL): number | null {
  if (env().getNumber('WEBGL_VERSION') !== 2) {
    return null;
  }
  const gl = backend.gpgpu.gl as WebGL2RenderingContext;
  if (
    gl.getExtension('EXT_color_buffer_float') != null &&
    gl.getExtension('EXT_float_blend') != null
  ) {
    return gl.RGBA32F;
  }
  // tfjs only runs when some float16 or float32 format renders.
  return env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? null : gl.RGBA16F;
}

/** Where the samples of a scatter add, whatever the op. */
export interface ScatterLayout {
  /** The gradient's shape `[N, H, W, C]`. */
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  /** Samples per row of the geometry and values (per output position). */
  samplesPerRow: number;
  /**
   * Sample `t` of a row adds to the `run` channels from
   * `floor(t / samplesPerChannelGroup) * run`.
   */
  samplesPerChannelGroup: number;
  run: number;
  /**
   * Consecutive samples of a row that add the same values (a divisor of
   * samplesPerRow), so the values texture holds them once.
   */
  samplesPerValue: number;
  /** Row `r` (counted from the call's first) adds to image `floor(r / rowsPerImage)`. */
  rowsPerImage: number;
}

/**
 * Accumulator size in texels: one pixel's channels per texture row when they
 * fill whole texels and fit, else a near-square.
 */
function accumulatorShape(layout: ScatterLayout): [number, number] {
  const maxSize = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  const pixels = layout.batchSize * layout.inHeight * layout.inWidth;
  if (layout.inChannels % 4 === 0 && layout.inChannels / 4 <= maxSize && pixels <= maxSize) {
    return [layout.inChannels / 4, pixels];
  }
  const texels = Math.ceil((pixels * layout.inChannels) / 4);
  const width = Math.ceil(Math.sqrt(texels));
  return [width, Math.ceil(texels / width)];
}

/**
 * Draws ("pieces") per run of `run` channels: one when runs never cross a
 * texture row (they start at multiples of `run` elements, whole texels, and
 * the texture is a whole number of runs wide), else as many texture rows as
 * a run can touch.
 */
function piecesPerRun(textureWidth: number, run: number): number {
  if (run % 4 === 0 && textureWidth % (run / 4) === 0) {
    return 1;
  }
  const texels = Math.floor((run + 2) / 4) + 1;
  return Math.floor((textureWidth + texels - 2) / textureWidth) + 1;
}

export interface ScatterInputs {
  /** `[rowCount, samplesPerRow / samplesPerValue, run]` from ScatterValuesProgram, unpacked. */
  values: TensorInfo;
  /** `[rowCount, samplesPerRow, 4]` from ScatterGeometryProgram, unpacked. */
  geometry: TensorInfo;
  rowStart: number;
  rowCount: number;
}

/**
 * The chunk's contribution to the input gradient, a new `[N, H, W, C]`
 * tensor. `format` is from {@link blendableFormat}.
 */
export function scatterByBlending(
  backend: MathBackendWebGL,
  layout: ScatterLayout,
  format: number,
  {values, geometry, rowStart, rowCount}: ScatterInputs,
): TensorInfo {
  const gl = backend.gpgpu.gl as WebGL2RenderingContext;
  const {program, uniforms, vertexArray, framebuffer} = resources(gl);
  const texture = (t: TensorInfo) => backend.texData.get(t.dataId).texture!;
  const [width, height] = accumulatorShape(layout);
  const {run, samplesPerRow} = layout;
  const pieces = piecesPerRun(width, run);
  const accumulator = gl.createTexture()!;
  withGlStateRestored(gl, [0, 1], () => {
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, accumulator);
    gl.texStorage2D(gl.TEXTURE_2D, 1, format, width, height);
    // What the WebGLData import samples with.
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, accumulator, 0);
    gl.viewport(0, 0, width, height);
    gl.scissor(0, 0, width, height);
    gl.clearBufferfv(gl.COLOR, 0, [0, 0, 0, 0]);
    gl.useProgram(program);
    gl.bindVertexArray(vertexArray);
    [geometry, values].forEach((t, unit) => {
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, texture(t).texture);
    });
    gl.uniform1i(uniforms.geometry, 0);
    gl.uniform1i(uniforms.values, 1);
    gl.uniform1i(uniforms.geometryWidth, texture(geometry).texShape[1]);
    gl.uniform1i(uniforms.valuesWidth, texture(values).texShape[1]);
    gl.uniform1i(uniforms.samplesPerValue, layout.samplesPerValue);
    gl.uniform2i(uniforms.targetSize, width, height);
    gl.uniform4i(
      uniforms.image,
      layout.inHeight,
      layout.inWidth,
      layout.inChannels,
      layout.rowsPerImage,
    );
    gl.uniform2i(uniforms.samples, layout.samplesPerChannelGroup, samplesPerRow);
    gl.disable(gl.CULL_FACE);
    gl.enable(gl.BLEND);
    gl.blendEquation(gl.FUNC_ADD);
    gl.blendFunc(gl.ONE, gl.ONE);
    for (let piece = 0; piece < pieces; piece++) {
      gl.uniform3i(uniforms.chunk, rowStart, run, piece);
      gl.drawArrays(gl.TRIANGLES, 0, 3 * 4 * rowCount * samplesPerRow);
    }
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0);
  });
  const shape = [layout.batchSize, layout.inHeight, layout.inWidth, layout.inChannels];
  const dataId = backend.writeTexture(accumulator, shape, 'float32', height, width, 'RGBA');
  // GL keeps it alive until the copy above has run.
  gl.deleteTexture(accumulator);
  return {dataId, shape, dtype: 'float32'};
}
