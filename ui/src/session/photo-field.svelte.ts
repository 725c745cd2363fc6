// One face-photo link field: what was typed, the `PhotoChecker` behind it (local validation at
// once, the backend's `checkPhoto` after a pause in typing or at once on paste/blur), and the
// message to show under it. The new-session form and the "enroll with another photo" form both
// use it, so both check a link the same way.

import type { CommandError, PhotoCheck } from "../ipc";
import { PhotoChecker, photoReady, TYPING_PAUSE_MS, type PhotoStatus } from "./photo-check";
import { validatePhotoUrl } from "./validate";

export class PhotoField {
  url = $state("");
  /** The field was left (or its form submitted) at least once: local problems may show. */
  touched = $state(false);
  focused = $state(false);
  status = $state.raw<PhotoStatus>({ kind: "empty" });

  readonly #checker: PhotoChecker;

  constructor(check: (url: string) => Promise<PhotoCheck>, pauseMs = TYPING_PAUSE_MS) {
    this.#checker = new PhotoChecker(
      check,
      (status) => {
        this.status = status;
      },
      pauseMs,
    );
  }

  /** The message under the field, if any: the backend's refusal at once, a local problem once the field was left. */
  error: string | null = $derived.by(() => {
    const p = this.status;
    if (p.kind === "failed") {
      return p.error.message;
    }
    if (p.kind === "invalid" && this.touched && !this.focused) {
      return p.message;
    }
    return null;
  });

  /** The photo check has passed for exactly the link in the field. */
  ready = $derived(photoReady(this.status, this.url));

  /** The checked link to send, once `ready`. */
  value: string | null = $derived.by(() => {
    const checked = validatePhotoUrl(this.url);
    return this.ready && checked.ok ? checked.value : null;
  });

  /** Typing: check once typing pauses. */
  edit(value: string): void {
    this.url = value;
    this.#checker.input(value);
  }

  /** A pasted link is complete: check it at once. */
  paste(value: string): void {
    this.url = value;
    this.#checker.commit(value);
  }

  focus(): void {
    this.focused = true;
  }

  /** The field was left; `value` is what it holds (scripts may change it without input events). */
  leave(value: string): void {
    this.focused = false;
    this.touched = true;
    this.url = value;
    this.#checker.commit(value);
  }

  /** Show local problems now (the form was submitted). */
  touch(): void {
    this.touched = true;
  }

  /** Check the same link again (the photo may have been fixed at its source). */
  recheck(): void {
    this.#checker.retry(this.url);
  }

  /** The backend refused this link later (when starting or enrolling): keep its word for it. */
  reject(url: string, error: CommandError): void {
    this.#checker.reject(url, error);
  }

  reset(): void {
    this.url = "";
    this.touched = false;
    this.focused = false;
    this.#checker.reset();
  }

  dispose(): void {
    this.#checker.dispose();
  }
}
