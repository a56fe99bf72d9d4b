/**
 * The sockets one engine (one request) may hold open at once. A Worker request may hold six
 * outgoing connections; an engine keeps to two so a request that also exports or re-checks a
 * login stays inside the platform's limit. An opener past the limit waits for a socket to close
 * instead of failing: the introspectors send their catalog reads together, and those should
 * queue, not error.
 */
export class SocketBudget {
  readonly max: number;
  #open = 0;
  #peak = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    this.max = max;
  }

  get open(): number {
    return this.#open;
  }

  /** The most sockets that were open at one time (tests check the cap with it). */
  get peak(): number {
    return this.#peak;
  }

  /** Resolves once a socket may be opened; pair every call with one `release()`. */
  async acquire(): Promise<void> {
    while (this.#open >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#open++;
    this.#peak = Math.max(this.#peak, this.#open);
  }

  release(): void {
    this.#open--;
    this.#waiting.shift()?.();
  }
}
