/**
 * The test digits: a gallery with both models' predictions, and the chosen
 * digit drawn twice, the plain CNN's and the deformable CNN's view side by
 * side, with what the chosen unit looks at in the chosen mode drawn over
 * each (demo/shared/looks.ts, look_marks.ts).
 */
import type * as tfl from '@tensorflow/tfjs-layers';

import {Examples, exampleImage, IMAGE_SIZE} from '../shared/augment';
import {lookMarks} from '../shared/look_marks';
import {look, LookMode} from '../shared/looks';
import {MODEL_KINDS, ModelKind} from '../shared/models';
import type {PerModel} from './session';

/** Test digits offered as buttons: the first of the evaluated ones. */
export const GALLERY_SIZE = 12;
const VIEW_SCALE = 8;

/** Grey levels in [0, 1] onto a canvas, white ink on black as MNIST has them. */
function drawDigit(canvas: HTMLCanvasElement, image: Float32Array): void {
  const pixels = new ImageData(IMAGE_SIZE, IMAGE_SIZE);
  image.forEach((v, i) => {
    pixels.data.fill(Math.round(255 * v), 4 * i, 4 * i + 3);
    pixels.data[4 * i + 3] = 255;
  });
  const small = Object.assign(document.createElement('canvas'), {
    width: IMAGE_SIZE,
    height: IMAGE_SIZE,
  });
  small.getContext('2d')!.putImageData(pixels, 0, 0);
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = false;
  context.drawImage(small, 0, 0, canvas.width, canvas.height);
}

/** One model's picture: the digit, the overlay on it, the caption under it. */
export interface ModelView {
  digit: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
  caption: HTMLElement;
}

export class DigitView {
  private selected = 0;
  /** Where the user clicked, in image pixels: the unit nearest to it is shown (null: the digit's ink centre). */
  private clicked: {y: number; x: number} | null = null;
  private models: PerModel<tfl.LayersModel> | null = null;
  private mode: LookMode = 'sampling';
  private readonly buttons: HTMLButtonElement[] = [];
  private drawing = Promise.resolve();

  constructor(
    private readonly examples: Examples,
    gallery: HTMLElement,
    private readonly views: Record<ModelKind, ModelView>,
  ) {
    for (let n = 0; n < GALLERY_SIZE; n++) {
      const button = document.createElement('button');
      const thumbnail = Object.assign(document.createElement('canvas'), {
        width: IMAGE_SIZE,
        height: IMAGE_SIZE,
      });
      drawDigit(thumbnail, exampleImage(examples, n));
      button.append(thumbnail, document.createElement('span'));
      button.addEventListener('click', () => this.select(n));
      gallery.append(button);
      this.buttons.push(button);
    }
    for (const kind of MODEL_KINDS) {
      views[kind].overlay.addEventListener('click', event => this.pickUnit(event, kind));
    }
    this.select(0);
  }

  /**
   * The models whose views are shown (null: none, before they are disposed);
   * resolves when the overlays show them.
   */
  setModels(models: PerModel<tfl.LayersModel> | null): Promise<void> {
    this.models = models;
    return this.redraw();
  }

  setMode(mode: LookMode): Promise<void> {
    this.mode = mode;
    return this.redraw();
  }

  showPredictions(predictions: PerModel<Int32Array> | null): void {
    this.buttons.forEach((button, n) => {
      const label = this.examples.labels[n];
      button.querySelector('span')!.textContent =
        predictions == null
          ? `digit ${label}`
          : MODEL_KINDS.map(
              kind => `${predictions[kind][n]}${predictions[kind][n] === label ? '✓' : '✗'}`,
            ).join(' / ');
    });
  }

  /** Recomputes the views (after the models have trained further). */
  redraw(): Promise<void> {
    // One drawing at a time: a request during a drawing runs after it, with the latest state.
    const next = this.drawing.then(() => this.drawOverlays());
    this.drawing = next.catch(() => undefined); // a failed drawing is the caller's; the next one still runs
    return next;
  }

  private select(n: number): void {
    this.selected = n;
    this.clicked = null;
    this.buttons.forEach((button, i) => button.classList.toggle('selected', i === n));
    for (const kind of MODEL_KINDS) {
      drawDigit(this.views[kind].digit, exampleImage(this.examples, n));
    }
    void this.redraw();
  }

  private pickUnit(event: MouseEvent, kind: ModelKind): void {
    const box = this.views[kind].overlay.getBoundingClientRect();
    this.clicked = {
      y: ((event.clientY - box.top) / box.height) * IMAGE_SIZE - 0.5,
      x: ((event.clientX - box.left) / box.width) * IMAGE_SIZE - 0.5,
    };
    void this.redraw();
  }

  private async drawOverlays(): Promise<void> {
    const [models, mode, selected] = [this.models, this.mode, this.selected];
    const image = exampleImage(this.examples, selected);
    for (const kind of MODEL_KINDS) {
      const {overlay, caption} = this.views[kind];
      const context = overlay.getContext('2d')!;
      if (models == null) {
        context.clearRect(0, 0, overlay.width, overlay.height);
        continue;
      }
      const seen = await look(models[kind], image, this.clicked, mode);
      context.clearRect(0, 0, overlay.width, overlay.height);
      for (const mark of lookMarks(seen, VIEW_SCALE)) {
        const [r, g, b, a] = mark.rgba;
        context.fillStyle = `rgba(${r}, ${g}, ${b}, ${a / 255})`;
        if (mark.kind === 'rect') {
          context.fillRect(mark.x, mark.y, mark.width, mark.height);
        } else {
          context.beginPath();
          context.arc(mark.x, mark.y, mark.radius, 0, 2 * Math.PI);
          context.fill();
        }
      }
      caption.textContent = seen.caption;
      // For the end-to-end test: what the overlay shows, and how many times it has drawn.
      overlay.dataset.digit = String(selected);
      overlay.dataset.mode = mode;
      overlay.dataset.unit = `${seen.unit.row},${seen.unit.col}`;
      overlay.dataset.draws = String(Number(overlay.dataset.draws ?? 0) + 1);
    }
  }
}
