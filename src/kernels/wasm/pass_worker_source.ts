/**
 * The pool's worker (pass_pool.ts), as source for a Blob URL (a plugin ships
 * no separate worker file). It instantiates our module on the shared heap,
 * reports ready, then runs the task in its slot each time the generation
 * word moves on, and counts itself done (and failed, if the pass threw);
 * between tasks it spins for `spinMs` before it sleeps.
 */
export const PASS_WORKER_SOURCE = `
onmessage = ({data}) => {
  const {module, memory, buffer, slot, slotsAt, slotWords, names, spinMs} = data;
  const exports = new WebAssembly.Instance(module, {env: {memory}}).exports;
  const control = new Int32Array(buffer, 0, slotsAt / 4);
  const task = new Float64Array(buffer, slotsAt + 8 * slotWords * (slot - 1), slotWords);
  let generation = Atomics.load(control, 0);
  Atomics.add(control, 2, 1);
  for (;;) {
    // Spins a little before sleeping: the next pass of an op follows within
    // microseconds, and waking from Atomics.wait can take far longer.
    const until = performance.now() + spinMs;
    while (Atomics.load(control, 0) === generation && performance.now() < until) {}
    Atomics.wait(control, 0, generation);
    generation = Atomics.load(control, 0);
    const name = names[task[0]];
    try {
      exports[name](...Array.from(task.subarray(1, 1 + exports[name].length)));
    } catch (error) {
      Atomics.store(control, 3, 1);
    }
    Atomics.add(control, 1, 1);
  }
};
`;
