// One face-photo link field: what was typed, the `PhotoChecker` behind it (local validation at
// once, the backend's `checkPhoto` after a pause in typing or at once on paste/blur), and the
// message to show under it. The new-session form and the "enroll with another photo" form both
// use it, so both check a link the same way.

import type { CommandError, PhotoCheck, PhotoCheckId, PhotoProgress } from "../ipc";
import { PhotoChecker, photoReady, TYPING_PAUSE_MS, type PhotoStatus } from "./photo-check";
import { summarize, type PhotoSummary } from "./photo-verdict";
import { validatePhotoUrl } from "./validate";

export class PhotoField {
  url = $state("");
  /** The field was left (or its form submitted) at least once: local problems may show. */
  touched = $state(false);
  focused = $state(false);
  status = $state.raw<PhotoStatus>({ kind: "empty" });
  /** "Use this photo anyway": the operator accepts failed face checks. Cleared by every new answer. */
  override = $state(false);

  readonly #checker: PhotoChecker;

  constructor(check: (url: string) => Promise<PhotoCheck>, pauseMs = TYPING_PAUSE_MS) {
    this.#checker = new PhotoChecker(
      check,
      (status) => {
        if (status.kind !== "checking" || this.status.kind !== "checking") {
          this.override = false;
        }
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

  /** The checklist's sum, once the check has come back. */
  summary: PhotoSummary | null = $derived(this.status.kind === "ok" ? summarize(this.status.check) : null);

  /**
   * Paid steps (Enroll) must wait: the photo is not checked yet, the provider would refuse it, or a
   * face check failed and the operator has not ticked "Use this photo anyway".
   */
  blocked = $derived.by(() => {
    const s = this.summary;
    if (!this.ready || s === null) {
      return true;
    }
    return s.verdict === "fail" && !(s.canOverride && this.override);
  });

  /** The failed checks the operator overrode, to record on the face's consent record; empty when none. */
  overriddenChecks: PhotoCheckId[] = $derived.by(() => {
    const s = this.summary;
    return s !== null && s.canOverride && this.override && this.ready ? s.failed.map((c) => c.id) : [];
  });

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

  /** Tick or untick "Use this photo anyway"; only face checks can be overridden. */
  setOverride(on: boolean): void {
    this.override = on && this.summary?.canOverride === true;
  }

  /** The backend's download progress (for every check in the app; only this field's link counts). */
  progress(progress: PhotoProgress): void {
    this.#checker.progress(progress);
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
