/** A sleep that a notification (a new finalized head, a stop) ends early: for loops that poll but also listen. */
export class Waker {
  #wake: (() => void) | null = null;

  /** Resolves after `ms`, on wake(), or at once when `stopped`. */
  sleep(ms: number, stopped = false): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.#wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.#wake = done;
      if (stopped) done();
    });
  }

  wake(): void {
    this.#wake?.();
  }
}
