/** Live curves of both models against the training step (uPlot). */
import uPlot from 'uplot';

import {MODEL_KINDS, MODEL_TITLES, ModelKind} from '../shared/models';

const MODEL_COLOURS: Record<ModelKind, string> = {cnn: '#3b6fd8', dcn: '#e0542f'};

export class Curves {
  private readonly steps: number[] = [];
  private readonly values: Record<ModelKind, number[]> = {cnn: [], dcn: []};
  private readonly plot: uPlot;

  constructor(container: HTMLElement, title: string, range?: [number, number]) {
    this.plot = new uPlot(
      {
        title,
        width: 460,
        height: 220,
        scales: {x: {time: false}, ...(range ? {y: {range}} : {})},
        legend: {live: false},
        // Whole steps only on the x axis.
        axes: [
          {label: 'step', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000]},
          {},
        ],
        series: [
          {label: 'step'},
          ...MODEL_KINDS.map(kind => ({
            label: MODEL_TITLES[kind],
            stroke: MODEL_COLOURS[kind],
            width: 2,
          })),
        ],
      },
      [[], [], []],
      container,
    );
  }

  add(step: number, values: Record<ModelKind, number>): void {
    this.steps.push(step);
    MODEL_KINDS.forEach(kind => this.values[kind].push(values[kind]));
    this.plot.setData([this.steps, ...MODEL_KINDS.map(kind => this.values[kind])]);
  }

  clear(): void {
    this.steps.length = 0;
    MODEL_KINDS.forEach(kind => (this.values[kind].length = 0));
    this.plot.setData([[], [], []]);
  }
}
