/**
 * One executor for the hot path's promises: `new Promise(capture)` hands the promise's resolve and
 * reject out through `captured`, read right after. A promise then costs no closure of its own (an
 * arrow executor would allocate one per call, capturing its arguments).
 */
export const captured: { resolve: (value: never) => void; reject: (error: Error) => void } = {
  resolve: () => {},
  reject: () => {},
};

export function capture(resolve: (value: never) => void, reject: (error: Error) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}
