/**
 * Trains the two models side by side, one batch at a time, on the same
 * batches, yielding to the browser between steps; evaluates both on the test
 * digits every few steps. Start and pause; a new backend or a reset means a
 * new session.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {Examples, randomExamples} from '../shared/augment';
import type {DigitSet} from '../shared/digits';
import {createModel, MODEL_KINDS, ModelKind} from '../shared/models';
import {Random, seededRandom} from '../shared/random';
import {
  accuracyOf,
  BATCH_SIZE,
  predictClasses,
  StepResult,
  trainStep,
  TRAIN_SEED,
} from '../shared/training';

const EVALUATE_EVERY = 20;

export type PerModel<T> = Record<ModelKind, T>;

export interface SessionEvents {
  step(step: number, results: PerModel<StepResult>): void;
  evaluation(step: number, accuracy: PerModel<number>, predictions: PerModel<Int32Array>): void;
}

export class TrainingSession {
  readonly models: PerModel<tfl.LayersModel> = {cnn: createModel('cnn'), dcn: createModel('dcn')};
  step = 0;
  private readonly random: Random = seededRandom(TRAIN_SEED);
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly train: DigitSet,
    private readonly test: Examples,
    private readonly events: SessionEvents,
    private readonly stepLimit: number,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  get isFinished(): boolean {
    return this.step >= this.stepLimit;
  }

  /** Resolves when training stops (paused or at the step limit). */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      this.loop = this.run();
    }
    return this.loop;
  }

  /** Resolves once the step under way has finished. */
  pause(): Promise<void> {
    this.running = false;
    return this.loop;
  }

  async evaluate(): Promise<void> {
    const predictions = {} as PerModel<Int32Array>;
    const accuracy = {} as PerModel<number>;
    for (const kind of MODEL_KINDS) {
      predictions[kind] = await predictClasses(this.models[kind], this.test);
      accuracy[kind] = accuracyOf(predictions[kind], this.test.labels);
    }
    this.events.evaluation(this.step, accuracy, predictions);
  }

  async dispose(): Promise<void> {
    await this.pause();
    MODEL_KINDS.forEach(kind => this.models[kind].dispose());
  }

  private async run(): Promise<void> {
    try {
      while (this.running && !this.isFinished) {
        const batch = randomExamples(this.train, BATCH_SIZE, this.random);
        const results = {} as PerModel<StepResult>;
        for (const kind of MODEL_KINDS) {
          results[kind] = await trainStep(this.models[kind], batch);
          // Let the page paint and handle input (a step on cpu blocks it for seconds).
          await tf.nextFrame();
        }
        this.step++;
        this.events.step(this.step, results);
        if (this.step % EVALUATE_EVERY === 0 || this.isFinished) {
          await this.evaluate();
        }
      }
    } finally {
      this.running = false;
    }
  }
}
