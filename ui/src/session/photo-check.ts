// The face photo field's check: local validation at once, then the backend's `checkPhoto`
// (which downloads and inspects the photo) after a pause in typing, or at once on paste/blur.
// Only the answer for the link currently in the field is ever shown.

import { asCommandError, type CommandError, type PhotoCheck, type PhotoProgress } from "../ipc";
import { validatePhotoUrl } from "./validate";
import { summarize } from "./photo-verdict";

export type PhotoStatus =
  | { kind: "empty" }
  | { kind: "invalid"; message: string }
  /** A check is scheduled for when typing pauses. */
  | { kind: "waiting"; url: string }
  /** `progress`: how far the download has got, once the backend has said. */
  | { kind: "checking"; url: string; progress?: PhotoProgress }
  | { kind: "ok"; url: string; check: PhotoCheck }
  | { kind: "failed"; url: string; error: CommandError };

export const TYPING_PAUSE_MS = 600;

export class PhotoChecker {
  #status: PhotoStatus = { kind: "empty" };
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped whenever an answer in flight stops being wanted. */
  #generation = 0;
  readonly #check: (url: string) => Promise<PhotoCheck>;
  readonly #onChange: (status: PhotoStatus) => void;
  readonly #pauseMs: number;

  constructor(
    check: (url: string) => Promise<PhotoCheck>,
    onChange: (status: PhotoStatus) => void,
    pauseMs = TYPING_PAUSE_MS,
  ) {
    this.#check = check;
    this.#onChange = onChange;
    this.#pauseMs = pauseMs;
  }

  get status(): PhotoStatus {
    return this.#status;
  }

  /** The field changed while typing: check once typing pauses. */
  input(raw: string): void {
    this.#update(raw, false, false);
  }

  /** The link was pasted or the field was left: check now. */
  commit(raw: string): void {
    this.#update(raw, true, false);
  }

  /** Check the same link again (the photo may have been fixed at its source). */
  retry(raw: string): void {
    this.#update(raw, true, true);
  }

  /** The backend reports how far the download of a link has got; only the link being checked counts. */
  progress(progress: PhotoProgress): void {
    const held = this.#status;
    if (held.kind === "checking" && held.url === progress.url) {
      this.#set({ kind: "checking", url: held.url, progress });
    }
  }

  /** The backend refused the photo later (when starting): keep its word for this link. */
  reject(url: string, error: CommandError): void {
    this.#cancel();
    this.#set({ kind: "failed", url, error });
  }

  reset(): void {
    this.#cancel();
    this.#set({ kind: "empty" });
  }

  dispose(): void {
    this.#cancel();
  }

  #update(raw: string, now: boolean, force: boolean): void {
    const checked = validatePhotoUrl(raw);
    if (!checked.ok) {
      this.#cancel();
      this.#set(raw.trim() === "" ? { kind: "empty" } : { kind: "invalid", message: checked.message });
      return;
    }
    const url = checked.value;
    const held = this.#status;
    const sameUrl = "url" in held && held.url === url;
    if (sameUrl && !force && held.kind !== "waiting") {
      return; // already checked, or being checked
    }
    if (sameUrl && !force && !now) {
      return; // keep the scheduled check
    }
    this.#cancel();
    if (now) {
      this.#run(url);
    } else {
      this.#set({ kind: "waiting", url });
      this.#timer = setTimeout(() => {
        this.#run(url);
      }, this.#pauseMs);
    }
  }

  #run(url: string): void {
    this.#timer = undefined;
    const generation = ++this.#generation;
    this.#set({ kind: "checking", url });
    this.#check(url).then(
      (check) => {
        if (generation === this.#generation) {
          this.#set({ kind: "ok", url, check });
        }
      },
      (e: unknown) => {
        if (generation === this.#generation) {
          this.#set({ kind: "failed", url, error: asCommandError(e) });
        }
      },
    );
  }

  #cancel(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#generation += 1;
  }

  #set(status: PhotoStatus): void {
    this.#status = status;
    this.#onChange(status);
  }
}

/**
 * The photo check has come back for exactly this link, and the provider would take the photo (a
 * failed face check does not stop this; it blocks paid steps until overridden, see PhotoField).
 */
export function photoReady(status: PhotoStatus, raw: string): status is Extract<PhotoStatus, { kind: "ok" }> {
  const checked = validatePhotoUrl(raw);
  return status.kind === "ok" && checked.ok && status.url === checked.value && summarize(status.check).refusal === null;
}
