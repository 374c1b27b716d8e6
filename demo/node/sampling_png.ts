/** The sampling-point picture of a few digits as a PNG, drawn from the same discs as the page's overlay. */
import {writeFileSync} from 'node:fs';

import {PNG} from 'pngjs';

import {IMAGE_SIZE} from '../shared/augment';
import type {Disc} from '../shared/overlay_marks';

export const PNG_SCALE = 8;
const PANEL = IMAGE_SIZE * PNG_SCALE;
const GAP = 8;

export interface Panel {
  /** IMAGE_SIZE² grey levels in [0, 1]. */
  image: Float32Array;
  /** In panel pixels (PNG_SCALE per image pixel). */
  discs: Disc[];
}

/** The panels side by side, each the upscaled image with its discs blended on top. */
export function writeSamplingPng(path: string, panels: Panel[]): void {
  const png = new PNG({width: panels.length * (PANEL + GAP) - GAP, height: PANEL});
  png.data.fill(255);
  panels.forEach((panel, n) => {
    const left = n * (PANEL + GAP);
    for (let y = 0; y < PANEL; y++) {
      for (let x = 0; x < PANEL; x++) {
        const grey = Math.round(
          255 * panel.image[Math.floor(y / PNG_SCALE) * IMAGE_SIZE + Math.floor(x / PNG_SCALE)],
        );
        const at = 4 * (y * png.width + left + x);
        png.data[at] = png.data[at + 1] = png.data[at + 2] = grey;
      }
    }
    for (const disc of panel.discs) {
      fillDisc(png, left, disc);
    }
  });
  writeFileSync(path, PNG.sync.write(png));
}

function fillDisc(png: PNG, left: number, {x, y, radius, rgba}: Disc): void {
  const alpha = rgba[3] / 255;
  for (
    let py = Math.max(0, Math.floor(y - radius));
    py <= Math.min(PANEL - 1, Math.ceil(y + radius));
    py++
  ) {
    for (
      let px = Math.max(0, Math.floor(x - radius));
      px <= Math.min(PANEL - 1, Math.ceil(x + radius));
      px++
    ) {
      if ((px + 0.5 - x) ** 2 + (py + 0.5 - y) ** 2 > radius ** 2) {
        continue;
      }
      const at = 4 * (py * png.width + left + px);
      for (let c = 0; c < 3; c++) {
        png.data[at + c] = Math.round((1 - alpha) * png.data[at + c] + alpha * rgba[c]);
      }
    }
  }
}
