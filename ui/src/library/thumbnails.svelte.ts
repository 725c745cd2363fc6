// The library's previews, fetched one entry at a time (`faceThumbnail`) and only for the rows on
// screen: the list itself carries none, so 10,000 entries load in milliseconds. Each preview is
// asked for once and kept (up to `max`, the oldest forgotten first, so scrolling through the whole
// library does not hold every picture). The newest asks go first: the rows just scrolled to.

import { untrack } from "svelte";
import { SvelteMap } from "svelte/reactivity";

export type FetchThumbnail = (assetId: string) => Promise<string | null>;

export interface ThumbnailOptions {
  /** Previews kept at most. */
  max?: number;
  /** Requests in flight at most. */
  concurrency?: number;
  /** Asks waiting at most; older ones are dropped (their rows have long scrolled away). */
  queue?: number;
}

export class Thumbnails {
  readonly #fetch: FetchThumbnail;
  readonly #max: number;
  readonly #concurrency: number;
  readonly #queueMax: number;
  /** Reactive per key: a row re-renders when its own preview arrives. Null: none to show. */
  readonly #known = new SvelteMap<string, string | null>();
  #waiting: string[] = [];
  /** At most `concurrency` ids: a plain list. */
  #inFlight: string[] = [];

  constructor(fetch: FetchThumbnail, options: ThumbnailOptions = {}) {
    this.#fetch = fetch;
    this.#max = options.max ?? 500;
    this.#concurrency = options.concurrency ?? 4;
    this.#queueMax = options.queue ?? 60;
  }

  /** The preview if it has arrived (a data URL), null when there is none, undefined until known. */
  get(assetId: string): string | null | undefined {
    return this.#known.get(assetId);
  }

  /**
   * Asks for a preview unless it is known or already asked for. Called from the rows' effects:
   * what it reads here must not make them depend on the cache (only `get` should).
   */
  want(assetId: string): void {
    untrack(() => {
      this.#want(assetId);
    });
  }

  #want(assetId: string): void {
    if (this.#known.has(assetId) || this.#inFlight.includes(assetId) || this.#waiting.includes(assetId)) {
      return;
    }
    this.#waiting.push(assetId);
    if (this.#waiting.length > this.#queueMax) {
      this.#waiting = this.#waiting.slice(-this.#queueMax);
    }
    this.#pump();
  }

  /** A preview the window already holds (an upload's answer): no need to ask for it. */
  seed(assetId: string, thumbnail: string | null): void {
    untrack(() => {
      if (thumbnail !== null && thumbnail !== "" && this.#known.get(assetId) !== thumbnail) {
        this.#keep(assetId, thumbnail);
      }
    });
  }

  /** How many previews are held (for tests and the perf script). */
  get size(): number {
    return this.#known.size;
  }

  #keep(assetId: string, thumbnail: string | null): void {
    this.#known.delete(assetId);
    this.#known.set(assetId, thumbnail);
    while (this.#known.size > this.#max) {
      const oldest = this.#known.keys().next();
      if (oldest.done === true) {
        break;
      }
      this.#known.delete(oldest.value);
    }
  }

  #pump(): void {
    while (this.#inFlight.length < this.#concurrency) {
      // Newest first: the rows the operator has just scrolled to.
      const next = this.#waiting.pop();
      if (next === undefined) {
        return;
      }
      this.#inFlight.push(next);
      void this.#fetch(next)
        .then(
          (thumbnail) => {
            this.#keep(next, thumbnail === "" ? null : thumbnail);
          },
          () => {
            // No preview rather than a broken one; the card shows initials.
            this.#keep(next, null);
          },
        )
        .finally(() => {
          this.#inFlight = this.#inFlight.filter((id) => id !== next);
          this.#pump();
        });
    }
  }
}
