/**
 * How a look is drawn, as discs and rectangles in canvas pixels, so that the
 * page (canvas) and the trainer (PNG) draw the same picture: sampling points
 * in red (area: mask weight or importance), the unit in green, the receptive
 * field as an orange heat overlay, the saliency region outlined in green with
 * the rest dimmed.
 */
import {IMAGE_SIZE} from './augment';
import type {Look, LookMode} from './looks';

export type Rgba = [number, number, number, number];

export type Mark =
  | {kind: 'disc'; x: number; y: number; radius: number; rgba: Rgba}
  | {kind: 'rect'; x: number; y: number; width: number; height: number; rgba: Rgba};

const GREEN: Rgba = [46, 204, 64, 255];
const RED: Rgba = [255, 45, 45, 200];
const HEAT: [number, number, number] = [255, 140, 0];
const DIM: Rgba = [0, 0, 40, 150];

/** `scale` canvas pixels per image pixel. */
export function lookMarks(look: Look, scale: number): Mark[] {
  const marks: Mark[] = [];
  const cell = (p: number, rgba: Rgba): Mark => ({
    kind: 'rect',
    x: (p % IMAGE_SIZE) * scale,
    y: Math.floor(p / IMAGE_SIZE) * scale,
    width: scale,
    height: scale,
    rgba,
  });
  look.heat?.forEach((v, p) => {
    if (v > 0.02) {
      marks.push(cell(p, [...HEAT, Math.round(230 * Math.sqrt(v))]));
    }
  });
  if (look.mask) {
    const mask = look.mask;
    const inside = (y: number, x: number) =>
      y >= 0 && x >= 0 && y < IMAGE_SIZE && x < IMAGE_SIZE && mask[y * IMAGE_SIZE + x] === 1;
    const line = Math.max(1, scale / 4);
    mask.forEach((v, p) => {
      const [y, x] = [Math.floor(p / IMAGE_SIZE), p % IMAGE_SIZE];
      if (v === 0) {
        marks.push(cell(p, DIM));
        return;
      }
      // An edge wherever the neighbour is outside the region.
      const [left, top] = [x * scale, y * scale];
      if (!inside(y - 1, x)) marks.push(edge(left, top, scale, line));
      if (!inside(y + 1, x)) marks.push(edge(left, top + scale - line, scale, line));
      if (!inside(y, x - 1)) marks.push(edge(left, top, line, scale));
      if (!inside(y, x + 1)) marks.push(edge(left + scale - line, top, line, scale));
    });
  }
  if (look.points && look.sizes) {
    for (let i = 0; i < look.sizes.length; i++) {
      marks.push({
        kind: 'disc',
        x: (look.points[2 * i + 1] + 0.5) * scale,
        y: (look.points[2 * i] + 0.5) * scale,
        radius: Math.max(0.8, scale * 0.3 * Math.sqrt(look.sizes[i])),
        rgba: RED,
      });
    }
  }
  marks.push({
    kind: 'disc',
    x: (look.centre[1] + 0.5) * scale,
    y: (look.centre[0] + 0.5) * scale,
    radius: scale * 0.5,
    rgba: GREEN,
  });
  return marks;
}

function edge(x: number, y: number, width: number, height: number): Mark {
  return {kind: 'rect', x, y, width, height, rgba: GREEN};
}

export const LEGENDS: Record<LookMode, {rgba: Rgba; text: string}[]> = {
  sampling: [
    {rgba: GREEN, text: 'the chosen unit of the top convolution'},
    {
      rgba: RED,
      text: 'where it samples the digit through all three layers (area: product of the masks)',
    },
  ],
  effective: [
    {rgba: GREEN, text: 'the chosen unit'},
    {
      rgba: RED,
      text: "its sampling points, area ∝ the gradient of the unit w.r.t. the point's location",
    },
  ],
  receptive: [
    {rgba: GREEN, text: 'the chosen unit'},
    {
      rgba: [...HEAT, 255],
      text: '|gradient of the unit w.r.t. each pixel| (the effective receptive field)',
    },
  ],
  saliency: [
    {rgba: GREEN, text: 'the smallest region (2×2 patches) that keeps the response within 10 %'},
    {rgba: [...DIM.slice(0, 3), 255] as Rgba, text: 'pixels set to 0'},
  ],
};
