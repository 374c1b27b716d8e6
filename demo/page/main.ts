/**
 * The demo page: wires the controls, the training session, the curves and
 * the digit view together.
 *
 * URL parameters: `backend=webgl|wasm|cpu|webgpu` picks the backend;
 * `steps=N` starts training at once and stops after N steps (the end-to-end
 * test uses both); `tests=N` evaluates N test digits instead of 500 (N at least
 * the gallery's 12; the first digits are the same for any N: a short run on a
 * slow emulated GPU evaluates fewer); `look=sampling|effective|receptive|saliency`
 * the view mode. The page reports its state in `<body data-state>`
 * (loading, ready, training, paused, done, error) and `data-step`.
 */
import * as tf from '@tensorflow/tfjs-core';

import {Examples, randomExamples} from '../shared/augment';
import {decodeDigits, DigitSet, splitDigits} from '../shared/digits';
import {MODEL_KINDS} from '../shared/models';
import {LEGENDS} from '../shared/look_marks';
import {LOOK_MODES, LOOK_TITLES, LookMode} from '../shared/looks';
import {seededRandom} from '../shared/random';
import {StepResult, TEST_SEED} from '../shared/training';
import {backendChoices, DEFAULT_BACKEND, useBackend} from './backends';
import {Curves} from './charts';
import {DigitView, GALLERY_SIZE} from './digit_view';
import {PerModel, TrainingSession} from './session';

const TEST_EXAMPLES = 500;
/** Weight of the newest step in the displayed training loss (an exponential moving average). */
const LOSS_SMOOTHING = 0.1;
/** Steps whose times make the displayed median. */
const TIMED_STEPS = 20;

const params = new URLSearchParams(location.search);
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const backendSelect = element<HTMLSelectElement>('backend');
const startButton = element<HTMLButtonElement>('start');
const resetButton = element<HTMLButtonElement>('reset');
const status = element('status');

type State = 'loading' | 'ready' | 'training' | 'paused' | 'done' | 'error';

function show(state: State, message: string): void {
  document.body.dataset.state = state;
  status.textContent = message;
  startButton.textContent = state === 'training' ? 'Pause' : 'Start';
  startButton.disabled = state === 'loading' || state === 'done' || state === 'error';
  resetButton.disabled = state === 'loading' || state === 'error';
}

function showError(error: unknown): void {
  show('error', `Error: ${error instanceof Error ? error.message : String(error)}`);
}

async function fetchDigits(): Promise<DigitSet> {
  const response = await fetch('/digits.bin');
  if (!response.ok) {
    throw new Error(`cannot load the digits (${response.status})`);
  }
  return decodeDigits(new Uint8Array(await response.arrayBuffer()));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The numbers of one session in the table and the curves. */
class Readout {
  private loss: PerModel<number> | null = null;
  private readonly times: PerModel<number[]> = {cnn: [], dcn: []};

  constructor(
    private readonly lossCurves: Curves,
    private readonly accuracyCurves: Curves,
  ) {
    lossCurves.clear();
    accuracyCurves.clear();
    for (const kind of MODEL_KINDS) {
      for (const column of ['time', 'loss', 'accuracy']) {
        element(`${column}-${kind}`).textContent = '–';
      }
    }
  }

  step(step: number, results: PerModel<StepResult>): void {
    const previous = this.loss;
    this.loss = {cnn: 0, dcn: 0};
    for (const kind of MODEL_KINDS) {
      const {loss, milliseconds} = results[kind];
      this.loss[kind] = previous ? previous[kind] + LOSS_SMOOTHING * (loss - previous[kind]) : loss;
      // The first step compiles shaders and warms caches: not a step time.
      if (step > 1) {
        this.times[kind] = [...this.times[kind], milliseconds].slice(-TIMED_STEPS);
        element(`time-${kind}`).textContent = `${median(this.times[kind]).toFixed(0)} ms`;
      }
      element(`loss-${kind}`).textContent = this.loss[kind].toFixed(3);
    }
    this.lossCurves.add(step, this.loss);
    document.body.dataset.step = String(step);
  }

  evaluation(step: number, accuracy: PerModel<number>): void {
    for (const kind of MODEL_KINDS) {
      const cell = element(`accuracy-${kind}`);
      cell.textContent = `${(100 * accuracy[kind]).toFixed(1)}%`;
      cell.dataset.value = String(accuracy[kind]);
    }
    this.accuracyCurves.add(step, accuracy);
  }
}

async function main(): Promise<void> {
  show('loading', 'loading digits…');
  const digits = splitDigits(await fetchDigits());
  const requestedTests = Number(params.get('tests'));
  const testCount =
    Number.isInteger(requestedTests) && requestedTests >= GALLERY_SIZE
      ? requestedTests
      : TEST_EXAMPLES;
  const test: Examples = randomExamples(digits.test, testCount, seededRandom(TEST_SEED));
  const stepLimit = Number(params.get('steps') ?? Infinity);
  const lossCurves = new Curves(element('loss-chart'), 'training loss (smoothed)');
  const accuracyCurves = new Curves(
    element('accuracy-chart'),
    `test accuracy (${testCount} digits)`,
    [0, 1],
  );
  const view = new DigitView(test, element('gallery'), {
    cnn: {
      digit: element('digit-cnn'),
      overlay: element('overlay-cnn'),
      caption: element('unit-cnn'),
    },
    dcn: {
      digit: element('digit-dcn'),
      overlay: element('overlay-dcn'),
      caption: element('unit-dcn'),
    },
  });
  const modeSelect = element<HTMLSelectElement>('look-mode');
  modeSelect.append(
    ...LOOK_MODES.map(mode =>
      Object.assign(document.createElement('option'), {
        value: mode,
        textContent: LOOK_TITLES[mode],
      }),
    ),
  );
  const showLegend = (mode: LookMode) =>
    element('legend').replaceChildren(
      ...LEGENDS[mode].map(({rgba: [r, g, b], text}) =>
        Object.assign(document.createElement('li'), {
          textContent: text,
          style: `--colour: rgb(${r}, ${g}, ${b})`,
        }),
      ),
    );
  modeSelect.value = params.get('look') ?? 'sampling';
  showLegend(modeSelect.value as LookMode);
  void view.setMode(modeSelect.value as LookMode);
  modeSelect.addEventListener('change', () => {
    showLegend(modeSelect.value as LookMode);
    view.setMode(modeSelect.value as LookMode).catch(showError);
  });

  for (const {name, usable, label} of backendChoices()) {
    backendSelect.append(
      Object.assign(document.createElement('option'), {
        value: name,
        textContent: label,
        disabled: !usable,
      }),
    );
  }
  backendSelect.value = params.get('backend') ?? DEFAULT_BACKEND;

  let session: TrainingSession | null = null;
  const describe = () => `step ${session?.step ?? 0} · ${tf.getBackend()}`;

  async function newSession(): Promise<void> {
    show('loading', `starting ${backendSelect.value}…`);
    await view.setModels(null); // no drawing may use the old models once they are disposed
    await session?.dispose();
    await useBackend(backendSelect.value);
    const readout = new Readout(lossCurves, accuracyCurves);
    session = new TrainingSession(
      digits.train,
      test,
      {
        step: (step, results) => {
          readout.step(step, results);
          status.textContent = describe();
        },
        evaluation: (step, accuracy, predictions) => {
          readout.evaluation(step, accuracy);
          view.showPredictions(predictions);
          void view.redraw();
        },
      },
      stepLimit,
    );
    view.showPredictions(null);
    await view.setModels(session.models);
    await session.evaluate(); // the curves start at chance
    show('ready', describe());
  }

  async function train(): Promise<void> {
    show('training', describe());
    await session!.start();
    show(session!.isFinished ? 'done' : 'paused', describe());
  }

  startButton.addEventListener('click', () => {
    (session!.isRunning ? session!.pause() : train()).catch(showError);
  });
  resetButton.addEventListener('click', () => newSession().catch(showError));
  backendSelect.addEventListener('change', () => newSession().catch(showError));

  await newSession();
  if (params.has('steps')) {
    await train();
  }
}

window.addEventListener('unhandledrejection', event => showError(event.reason));
main().catch(showError);
