/**
 * Saves and restores the WebGL2 state that a draw of our own touches, so the
 * tfjs webgl backend finds the context exactly as it left it.
 */

/** Runs `draw`, then restores bindings, viewport, scissor box, culling and blending. */
export function withGlStateRestored<T>(
  gl: WebGL2RenderingContext,
  textureUnits: number[],
  draw: () => T,
): T {
  const drawFramebuffer = gl.getParameter(gl.DRAW_FRAMEBUFFER_BINDING);
  const readFramebuffer = gl.getParameter(gl.READ_FRAMEBUFFER_BINDING);
  const program = gl.getParameter(gl.CURRENT_PROGRAM);
  const vertexArray = gl.getParameter(gl.VERTEX_ARRAY_BINDING);
  const viewport = gl.getParameter(gl.VIEWPORT) as Int32Array;
  const scissor = gl.getParameter(gl.SCISSOR_BOX) as Int32Array;
  const blend = gl.isEnabled(gl.BLEND);
  const cullFace = gl.isEnabled(gl.CULL_FACE);
  const blendEquation = [
    gl.getParameter(gl.BLEND_EQUATION_RGB),
    gl.getParameter(gl.BLEND_EQUATION_ALPHA),
  ];
  const blendFunc = [
    gl.getParameter(gl.BLEND_SRC_RGB),
    gl.getParameter(gl.BLEND_DST_RGB),
    gl.getParameter(gl.BLEND_SRC_ALPHA),
    gl.getParameter(gl.BLEND_DST_ALPHA),
  ];
  const activeTexture = gl.getParameter(gl.ACTIVE_TEXTURE);
  const textures = textureUnits.map(unit => {
    gl.activeTexture(gl.TEXTURE0 + unit);
    return gl.getParameter(gl.TEXTURE_BINDING_2D);
  });
  try {
    return draw();
  } finally {
    textureUnits.forEach((unit, i) => {
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, textures[i]);
    });
    gl.activeTexture(activeTexture);
    (blend ? gl.enable : gl.disable).call(gl, gl.BLEND);
    (cullFace ? gl.enable : gl.disable).call(gl, gl.CULL_FACE);
    gl.blendEquationSeparate(blendEquation[0], blendEquation[1]);
    gl.blendFuncSeparate(blendFunc[0], blendFunc[1], blendFunc[2], blendFunc[3]);
    gl.scissor(scissor[0], scissor[1], scissor[2], scissor[3]);
    gl.viewport(viewport[0], viewport[1], viewport[2], viewport[3]);
    gl.bindVertexArray(vertexArray);
    gl.useProgram(program);
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, readFramebuffer);
    gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, drawFramebuffer);
  }
}
