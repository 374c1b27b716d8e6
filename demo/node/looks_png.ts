/** Looks of a few digits as a PNG grid, drawn from the same marks as the page's overlays. */
import {writeFileSync} from 'node:fs';

import {PNG} from 'pngjs';

import {IMAGE_SIZE} from '../shared/augment';
import type {Mark} from '../shared/look_marks';

export const PNG_SCALE = 8;
const PANEL = IMAGE_SIZE * PNG_SCALE;
const GAP = 8;

export interface Panel {
  /** IMAGE_SIZE² grey levels in [0, 1]. */
  image: Float32Array;
  /** In panel pixels (PNG_SCALE per image pixel). */
  marks: Mark[];
}

/** `rows` of panels, each the upscaled image with its marks blended on top, in order. */
export function writeLooksPng(path: string, rows: Panel[][]): void {
  const columns = Math.max(...rows.map(row => row.length));
  const png = new PNG({
    width: columns * (PANEL + GAP) - GAP,
    height: rows.length * (PANEL + GAP) - GAP,
  });
  png.data.fill(255);
  rows.forEach((row, r) =>
    row.forEach((panel, c) => {
      const origin = {left: c * (PANEL + GAP), top: r * (PANEL + GAP)};
      for (let y = 0; y < PANEL; y++) {
        for (let x = 0; x < PANEL; x++) {
          const grey = Math.round(
            255 * panel.image[Math.floor(y / PNG_SCALE) * IMAGE_SIZE + Math.floor(x / PNG_SCALE)],
          );
          const at = 4 * ((origin.top + y) * png.width + origin.left + x);
          png.data[at] = png.data[at + 1] = png.data[at + 2] = grey;
        }
      }
      for (const mark of panel.marks) {
        fillMark(png, origin, mark);
      }
    }),
  );
  writeFileSync(path, PNG.sync.write(png));
}

/** Blends a disc or rectangle (pixels whose centre is inside it) into its panel. */
function fillMark(png: PNG, {left, top}: {left: number; top: number}, mark: Mark): void {
  const [x0, y0, x1, y1] =
    mark.kind === 'disc'
      ? [mark.x - mark.radius, mark.y - mark.radius, mark.x + mark.radius, mark.y + mark.radius]
      : [mark.x, mark.y, mark.x + mark.width, mark.y + mark.height];
  const alpha = mark.rgba[3] / 255;
  for (let py = Math.max(0, Math.floor(y0)); py <= Math.min(PANEL - 1, Math.ceil(y1)); py++) {
    for (let px = Math.max(0, Math.floor(x0)); px <= Math.min(PANEL - 1, Math.ceil(x1)); px++) {
      const [cx, cy] = [px + 0.5, py + 0.5];
      const inside =
        mark.kind === 'disc'
          ? (cx - mark.x) ** 2 + (cy - mark.y) ** 2 <= mark.radius ** 2
          : cx >= x0 && cx < x1 && cy >= y0 && cy < y1;
      if (inside) {
        const at = 4 * ((top + py) * png.width + left + px);
        for (let c = 0; c < 3; c++) {
          png.data[at + c] = Math.round((1 - alpha) * png.data[at + c] + alpha * mark.rgba[c]);
        }
      }
    }
  }
}
