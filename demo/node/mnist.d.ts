/** The part of the `mnist` package (CommonJS, untyped) that the demo uses. */
declare module 'mnist' {
  interface MnistClass {
    /** Samples of this digit. */
    length: number;
    /** Sample `index` as 784 grey levels in [0, 1], row-major. */
    get(index: number): number[];
  }
  const mnist: MnistClass[];
  export default mnist;
}
