/** Runs jobs one at a time in arrival order; `depth` counts jobs waiting or running. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  depth = 0;

  run<T>(job: () => Promise<T>): Promise<T> {
    this.depth++;
    const p = this.tail.then(job);
    this.tail = p.catch(() => undefined);
    return p.finally(() => { this.depth--; });
  }
}
