import { LruCache } from './lru-cache.ts';

/** One content-addressed cache with its in-flight map: equal texts share one embedding and one run. */
export class VectorCache {
  readonly #done: LruCache<string, Float32Array>;
  readonly #inFlight = new Map<string, Promise<Float32Array>>();
  hits = 0;

  constructor(size: number) {
    this.#done = new LruCache(size);
  }

  /** A vector or promise for `key` if known; cache entries are copied so callers cannot alter them. */
  lookup(key: string): Promise<Float32Array> | undefined {
    const vector = this.#done.get(key);
    const found = vector ? Promise.resolve(vector.slice()) : this.#inFlight.get(key);
    if (found) this.hits++;
    return found;
  }

  track(key: string, pending: Promise<Float32Array>): void {
    this.#inFlight.set(key, pending);
    pending
      .then(
        (v) => this.#done.set(key, v.slice()),
        () => undefined,
      )
      .finally(() => this.#inFlight.delete(key));
  }
}
