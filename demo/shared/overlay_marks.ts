/**
 * How the sampling points are drawn, as a list of discs, so that the page
 * (canvas) and the Node trainer (PNG) draw the same picture: the regular
 * grid a plain CNN would use in grey, the top layer's taps in orange, the
 * deepest points in red, the chosen unit in green. Disc area follows the
 * mask weight along the path (product of the masks), so taps the network
 * turned down shrink.
 */
import type {SamplingPoint} from './sampling';

export interface Disc {
  /** Centre and radius in canvas pixels. */
  x: number;
  y: number;
  radius: number;
  /** 0..255 each, alpha included. */
  rgba: [number, number, number, number];
}

const GREY: Disc['rgba'] = [200, 200, 200, 150];
const GREEN: Disc['rgba'] = [46, 204, 64, 255];
const ORANGE: Disc['rgba'] = [255, 150, 40, 150];
const RED: Disc['rgba'] = [255, 45, 45, 220];

/**
 * `levels` and `regular` as `samplingPoints` returns them (learned and
 * undeformed), `scale` canvas pixels per image pixel.
 */
export function overlayDiscs(
  levels: SamplingPoint[][],
  regular: SamplingPoint[][],
  scale: number,
): Disc[] {
  const at = (p: SamplingPoint, radius: number, rgba: Disc['rgba']): Disc => ({
    x: (p.x + 0.5) * scale,
    y: (p.y + 0.5) * scale,
    radius,
    rgba,
  });
  const sized = (p: SamplingPoint, full: number) => Math.max(1, full * Math.sqrt(p.weight));
  const deepest = levels.length - 1;
  return [
    ...regular[deepest].map(p => at(p, scale * 0.15, GREY)),
    ...levels
      .slice(1, deepest)
      .flatMap(level => level.map(p => at(p, sized(p, scale * 1.2), ORANGE))),
    ...levels[deepest].map(p => at(p, sized(p, scale * 0.6), RED)),
    ...levels[0].map(p => at(p, scale * 0.5, GREEN)),
  ];
}

export const LEGEND = [
  {rgba: GREEN, text: 'the chosen unit of the top deformable layer'},
  {rgba: ORANGE, text: 'its 3×3 taps'},
  {rgba: RED, text: "each tap's own 3×3 taps in the deformable layer below (area: mask weight)"},
  {rgba: GREY, text: 'the same points without deformation (a plain CNN)'},
] as const;
