/**
 * The test digits: a gallery with both models' predictions, and a large view
 * of the chosen digit with the deformable model's sampling points of the
 * chosen unit drawn over it (demo/shared/sampling.ts, overlay_marks.ts).
 */
import type * as tfl from '@tensorflow/tfjs-layers';

import {Examples, exampleImage, IMAGE_SIZE} from '../shared/augment';
import {MODEL_KINDS} from '../shared/models';
import {overlayDiscs} from '../shared/overlay_marks';
import {analyseStack, inkCentre, samplingPoints, StackLayer, unitNearest} from '../shared/sampling';
import type {PerModel} from './session';

const GALLERY_SIZE = 12;
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

export class DigitView {
  private selected = 0;
  /** Where the user clicked, in image pixels: the unit nearest to it is shown (null: the digit's ink centre). */
  private clicked: {y: number; x: number} | null = null;
  private model: tfl.LayersModel | null = null;
  private readonly buttons: HTMLButtonElement[] = [];
  private drawing = Promise.resolve();

  constructor(
    private readonly examples: Examples,
    gallery: HTMLElement,
    private readonly digit: HTMLCanvasElement,
    private readonly overlay: HTMLCanvasElement,
    private readonly caption: HTMLElement,
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
    overlay.addEventListener('click', event => this.pickUnit(event));
    this.select(0);
  }

  /**
   * The deformable model whose sampling points are shown (null: none, before
   * its model is disposed); resolves when the overlay shows it.
   */
  setModel(model: tfl.LayersModel | null): Promise<void> {
    this.model = model;
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

  /** Recomputes the sampling points (after the model has trained further). */
  redraw(): Promise<void> {
    // One drawing at a time: a request during a drawing runs after it, with the latest state.
    const next = this.drawing.then(() => this.drawOverlay());
    this.drawing = next.catch(() => undefined); // a failed drawing is the caller's; the next one still runs
    return next;
  }

  private select(n: number): void {
    this.selected = n;
    this.clicked = null;
    this.buttons.forEach((button, i) => button.classList.toggle('selected', i === n));
    drawDigit(this.digit, exampleImage(this.examples, n));
    void this.redraw();
  }

  private pickUnit(event: MouseEvent): void {
    const box = this.overlay.getBoundingClientRect();
    this.clicked = {
      y: ((event.clientY - box.top) / box.height) * IMAGE_SIZE - 0.5,
      x: ((event.clientX - box.left) / box.width) * IMAGE_SIZE - 0.5,
    };
    void this.redraw();
  }

  private async drawOverlay(): Promise<void> {
    const context = this.overlay.getContext('2d')!;
    if (this.model == null) {
      context.clearRect(0, 0, this.overlay.width, this.overlay.height);
      return;
    }
    const image = exampleImage(this.examples, this.selected);
    const stack = await analyseStack(this.model, image);
    const at = this.clicked ?? inkCentre(image);
    const unit = unitNearest(stack, at.y, at.x);
    const levels = samplingPoints(stack, unit);
    context.clearRect(0, 0, this.overlay.width, this.overlay.height);
    for (const {
      x,
      y,
      radius,
      rgba: [r, g, b, a],
    } of overlayDiscs(levels, samplingPoints(stack, unit, true), VIEW_SCALE)) {
      context.fillStyle = `rgba(${r}, ${g}, ${b}, ${a / 255})`;
      context.beginPath();
      context.arc(x, y, radius, 0, 2 * Math.PI);
      context.fill();
    }
    this.caption.textContent = unitCaption(stack, unit, levels[levels.length - 1].length);
    // For the end-to-end test: which picture the overlay shows, and how many it has drawn.
    this.overlay.dataset.digit = String(this.selected);
    this.overlay.dataset.draws = String(Number(this.overlay.dataset.draws ?? 0) + 1);
  }
}

function unitCaption(stack: StackLayer[], unit: {y: number; x: number}, points: number): string {
  const [height, width] = stack[stack.length - 1].outSize;
  return (
    `Unit at row ${unit.y}, column ${unit.x} of the top deformable layer's ${height}×${width} output: ` +
    `${points} sampling points in the input.`
  );
}
