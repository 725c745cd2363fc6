// The "AI character (virtual portrait)" form: name and face link, Get price, then Pay or
// Decline. No liveness, so no session: the backend holds the shown price and signs only if
// the provider still asks exactly that. It lives outside the component so nothing typed is
// lost when the operator switches screens.

import { asCommandError, commands, type CommandError, type Face, type PortraitOutcome, type PortraitQuote } from "../ipc";
import { PhotoField } from "./photo-field.svelte";
import { validateName } from "./validate";

/** The backend calls the form makes; tests pass their own. */
export interface PortraitApi {
  checkPhoto: typeof commands.checkPhoto;
  quotePortrait: typeof commands.quotePortrait;
  confirmPortrait: typeof commands.confirmPortrait;
  declinePortrait: typeof commands.declinePortrait;
}

export type PortraitBusy = "quote" | "pay" | "decline" | null;

export class PortraitForm {
  name = $state("");
  nameTouched = $state(false);
  readonly photo: PhotoField;
  busy = $state<PortraitBusy>(null);
  /** The price on show, waiting for Pay or Decline. */
  quote = $state.raw<PortraitQuote | null>(null);
  /** The filed portrait, once paid. */
  face = $state.raw<Face | null>(null);
  /** The last refusal, in the backend's words. */
  error = $state.raw<CommandError | null>(null);
  readonly #api: PortraitApi;

  nameCheck = $derived(validateName(this.name));
  nameError: string | null = $derived(this.nameTouched && !this.nameCheck.ok ? this.nameCheck.message : null);

  constructor(api: PortraitApi = commands, pauseMs?: number) {
    this.#api = api;
    this.photo = new PhotoField((url) => api.checkPhoto(url), pauseMs);
  }

  /** Get price: a good name, an image that passed (or was overridden), no price already shown. */
  get canQuote(): boolean {
    return this.nameCheck.ok && this.photo.ready && !this.photo.blocked && this.busy === null && this.quote === null;
  }

  editName(value: string): void {
    this.name = value;
    if (this.error?.field === "name") {
      this.error = null;
    }
  }

  /** Asks the provider's price; nothing is signed. */
  async getPrice(): Promise<void> {
    this.nameTouched = true;
    this.photo.touch();
    const name = this.nameCheck;
    const url = this.photo.value;
    if (!name.ok || url === null || !this.canQuote) {
      return;
    }
    this.busy = "quote";
    this.error = null;
    try {
      this.quote = await this.#api.quotePortrait(name.value, url, this.photo.overriddenChecks.length > 0);
    } catch (e) {
      const error = asCommandError(e);
      if (error.field === "image_url") {
        this.photo.reject(url, error);
      } else {
        this.error = error;
      }
    } finally {
      this.busy = null;
    }
  }

  async pay(payeeChangeConfirmed: boolean): Promise<void> {
    const quote = this.quote;
    if (quote === null || this.busy !== null) {
      return;
    }
    this.busy = "pay";
    this.error = null;
    try {
      this.#receive(await this.#api.confirmPortrait(quote.id, payeeChangeConfirmed));
    } catch (e) {
      this.error = asCommandError(e);
      // A spent or forgotten price cannot be paid again: the operator asks for a fresh one.
      if (this.error.field === "quote") {
        this.quote = null;
      }
    } finally {
      this.busy = null;
    }
  }

  async decline(): Promise<void> {
    const quote = this.quote;
    if (quote === null || this.busy !== null) {
      return;
    }
    this.busy = "decline";
    try {
      await this.#api.declinePortrait(quote.id);
    } catch (e) {
      this.error = asCommandError(e);
    } finally {
      this.quote = null;
      this.busy = null;
    }
  }

  /** A fresh form for the next character. */
  reset(): void {
    this.name = "";
    this.nameTouched = false;
    this.quote = null;
    this.face = null;
    this.error = null;
    this.photo.reset();
  }

  #receive(outcome: PortraitOutcome): void {
    switch (outcome.outcome) {
      case "enrolled":
        this.quote = null;
        this.face = outcome.face;
        break;
      case "price_changed":
        // The new price is shown in place of the old, with the backend's words on what changed.
        this.quote = outcome.quote;
        break;
    }
  }
}

export const portraitForm = new PortraitForm();
