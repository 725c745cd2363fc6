import { asCommandError, type CommandError } from "../ipc";

/**
 * A value loaded from the backend where only the newest request counts: a reload that
 * finishes after a newer one never overwrites it.
 */
export class LatestLoad<T> {
  value = $state.raw<T | null>(null);
  loading = $state(false);
  error = $state.raw<CommandError | null>(null);
  #request = 0;
  readonly #fetch: () => Promise<T>;

  constructor(fetch: () => Promise<T>) {
    this.#fetch = fetch;
  }

  async load(): Promise<void> {
    const mine = ++this.#request;
    this.loading = true;
    try {
      const value = await this.#fetch();
      if (mine === this.#request) {
        this.value = value;
        this.error = null;
      }
    } catch (e) {
      if (mine === this.#request) {
        this.error = asCommandError(e);
      }
    } finally {
      if (mine === this.#request) {
        this.loading = false;
      }
    }
  }
}
