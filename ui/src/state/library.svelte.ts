// The library's listing, kept for the whole window rather than per visit to the Library: it is
// loaded once the window is idle after start (so the first visit shows it at once instead of
// waiting for 10,000 rows to cross IPC and be grouped), and again on every visit and whenever a
// face is enrolled. The people are grouped once per listing (or per asset heard), not per visit.

import { commands, type FaceSummary } from "../ipc";
import { LatestLoad } from "../lib/latest-load.svelte";
import { groupPeople, overlayAssets, type Person } from "../library/people";
import { studio } from "./studio.svelte";

export class Library {
  readonly #list: LatestLoad<FaceSummary[]>;

  constructor(fetch: () => Promise<FaceSummary[]> = () => commands.listFaces()) {
    this.#list = new LatestLoad(fetch);
  }

  /** The listing with every asset status heard since (`watchAssets`, uploads, "Check again"). */
  people: Person[] | null = $derived.by(() => {
    const listed = this.#list.value;
    return listed === null ? null : groupPeople(overlayAssets(listed, studio.assets));
  });

  get loading(): boolean {
    return this.#list.loading;
  }

  get error() {
    return this.#list.error;
  }

  load(): Promise<void> {
    return this.#list.load();
  }

  /** Loads and groups the listing ahead of the first visit; says how many people it holds. */
  async prefetch(): Promise<number> {
    if (this.#list.value === null && !this.#list.loading) {
      await this.load();
    }
    // Reading the people groups them now, while the window is idle.
    return this.people?.length ?? 0;
  }
}

export const library = new Library();

/** Runs `task` once the window is idle (or soon, where the webview has no idle callback). */
export function whenIdle(task: () => void, timeoutMs = 1000): void {
  if ("requestIdleCallback" in window) {
    requestIdleCallback(task, { timeout: timeoutMs });
  } else {
    setTimeout(task, 250);
  }
}
