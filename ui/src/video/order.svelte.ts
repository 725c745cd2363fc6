// One video order through its steps: "Get price" (`quoteVideo`: the job waits for the operator,
// with the x402 price or the word that the account is billed), then Pay / Submit
// (`confirmVideo`) or Decline (`declineVideo`). Every job the backend answers with goes to the
// jobs list too. One step at a time; a refusal is kept with where it shows: next to the field it
// names, under the form, or in the price panel.

import { asCommandError, type CommandError, type VideoJob, type VideoRequest } from "../ipc";
import { videoErrorField, type VideoField } from "./form";

export interface OrderBackend {
  quote: (request: VideoRequest) => Promise<VideoJob>;
  confirm: (jobId: string, payeeChangeConfirmed: boolean) => Promise<VideoJob>;
  decline: (jobId: string) => Promise<VideoJob>;
}

export type OrderStep = "quote" | "pay" | "decline";

/** Where a refusal shows: a form field, under the form, or in the price panel. */
export type ErrorPlace = VideoField | "form" | "panel";

export interface OrderError {
  error: CommandError;
  place: ErrorPlace;
}

export class VideoOrder {
  /** The job waiting for the operator's Pay / Submit or Decline. */
  job = $state.raw<VideoJob | null>(null);
  /** The job just sent, for the line that says where to follow it. */
  sent = $state.raw<VideoJob | null>(null);
  busy = $state<OrderStep | null>(null);
  problem = $state.raw<OrderError | null>(null);

  readonly #backend: OrderBackend;
  readonly #onJob: (job: VideoJob) => void;

  constructor(backend: OrderBackend, onJob: (job: VideoJob) => void) {
    this.#backend = backend;
    this.#onJob = onJob;
  }

  /** The payee needs its second confirmation (the backend said so, in the job or a refusal). */
  payeeChanged = $derived(
    (this.job?.payeeChanged ?? false) || (this.problem?.place === "panel" && this.problem.error.code === "confirmation_needed"),
  );

  /** A refusal found before sending (the form's own checks), shown like the backend's. */
  refuse(field: VideoField, message: string): void {
    this.problem = { error: { code: "invalid_input", message, field }, place: field };
  }

  clearProblem(): void {
    this.problem = null;
  }

  async quote(request: VideoRequest): Promise<void> {
    if (this.busy !== null || this.job !== null) {
      return;
    }
    await this.#step("quote", async () => {
      const job = await this.#backend.quote(request);
      this.#onJob(job);
      if (job.state === "awaiting_confirmation") {
        this.job = job;
        this.sent = null;
      } else {
        // The provider took it without asking to be paid first.
        this.sent = job;
      }
    });
  }

  /** Shows a job from the list that still waits for confirmation. */
  review(job: VideoJob): void {
    if (this.busy === null && job.state === "awaiting_confirmation") {
      this.job = job;
      this.problem = null;
    }
  }

  async confirm(payeeChangeConfirmed: boolean): Promise<void> {
    const job = this.job;
    if (job === null) {
      return;
    }
    await this.#step("pay", async () => {
      const sent = await this.#backend.confirm(job.id, payeeChangeConfirmed);
      this.#onJob(sent);
      this.job = null;
      this.sent = sent;
    });
  }

  async decline(): Promise<void> {
    const job = this.job;
    if (job === null) {
      return;
    }
    await this.#step("decline", async () => {
      this.#onJob(await this.#backend.decline(job.id));
      this.job = null;
    });
  }

  async #step(step: OrderStep, task: () => Promise<void>): Promise<void> {
    if (this.busy !== null) {
      return;
    }
    this.busy = step;
    this.problem = null;
    try {
      await task();
    } catch (e) {
      const error = asCommandError(e);
      this.problem = { error, place: step === "quote" ? (videoErrorField(error) ?? "form") : "panel" };
    } finally {
      this.busy = null;
    }
  }
}
