// "Enroll with another photo": after the provider refused the session's photo (a face mismatch,
// or any enroll error about `image_url`), the operator pastes another link next to the session,
// it is checked like the new-session form's, and the enroll is sent with it
// (`enrollSession(id, url)`). One form per session, kept outside the panel so a link being typed
// survives switching between sessions.

import type { CommandError, PhotoCheck } from "../ipc";
import type { EnrollResult } from "../state/studio.svelte";
import { PhotoField } from "./photo-field.svelte";
import { TYPING_PAUSE_MS } from "./photo-check";

/** An enroll error another photo may fix. */
export function isPhotoProblem(error: CommandError | null | undefined): boolean {
  return error !== null && error !== undefined && (error.code === "face_mismatch" || error.field === "image_url");
}

export class RetryPhotoForm {
  readonly photo: PhotoField;
  submitting = $state(false);

  constructor(check: (url: string) => Promise<PhotoCheck>, pauseMs = TYPING_PAUSE_MS) {
    this.photo = new PhotoField(check, pauseMs);
  }

  /**
   * Whether to show the form: the latest enroll problem is about the photo, or the operator has
   * already started on another link (so a later, unrelated failure does not take it away).
   */
  offered(latestProblem: CommandError | null | undefined): boolean {
    return isPhotoProblem(latestProblem) || this.photo.url.trim() !== "";
  }

  /** "Enroll with this photo" is available: the new link passed its check and nothing is running. */
  canSubmit(busy: boolean): boolean {
    return this.photo.value !== null && !this.photo.blocked && !this.submitting && !busy;
  }

  /**
   * Sends the enroll with the checked link. A refusal about the link itself (not a mismatch: the
   * photo was fine, only not of the same person) is kept under the field, like a failed check.
   */
  async submit(enroll: (url: string, photoOverride: boolean) => Promise<EnrollResult>): Promise<void> {
    this.photo.touch();
    const url = this.photo.value;
    if (url === null || this.submitting) {
      return;
    }
    this.submitting = true;
    try {
      const outcome = await enroll(url, this.photo.overriddenChecks.length > 0);
      if (outcome.ok) {
        this.photo.reset();
      } else if (outcome.error !== null && outcome.error.field === "image_url" && outcome.error.code !== "face_mismatch") {
        this.photo.reject(url, outcome.error);
      }
    } finally {
      this.submitting = false;
    }
  }
}

// A lookup table, not state: each form's fields are reactive, and the panel asks for its form
// from a `$derived`, where writing to reactive state is not allowed.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const forms = new Map<string, RetryPhotoForm>();

/** The retry form of one session, made on first use. */
export function retryPhotoForm(id: string, check: (url: string) => Promise<PhotoCheck>): RetryPhotoForm {
  let form = forms.get(id);
  if (form === undefined) {
    form = new RetryPhotoForm(check);
    forms.set(id, form);
  }
  return form;
}

/** Drops a finished session's form. */
export function forgetRetryPhotoForm(id: string): void {
  forms.get(id)?.photo.dispose();
  forms.delete(id);
}
