/** Throws `Error('<op>: <message>')` unless `condition` holds: every argument error names the op. */
export function checkArg(condition: boolean, opName: string, message: string): asserts condition {
  if (!condition) {
    throw new Error(`${opName}: ${message}`);
  }
}
