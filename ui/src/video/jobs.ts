// Video jobs as the operator reads them: where each stands in plain words, how long it has taken
// (from its timestamps, by the window's own clock: the backend is never asked every second), and
// the list kept newest first as jobs arrive from `listJobs`, `watchJobs` and the form's answers.

import type { VideoJob, VideoModelOption } from "../ipc";

/** Folds one job into the list: a job already held is replaced unless the incoming word is older. */
export function upsertJob(jobs: readonly VideoJob[], job: VideoJob): VideoJob[] {
  const at = jobs.findIndex((j) => j.id === job.id);
  if (at >= 0) {
    const held = jobs[at];
    if (held !== undefined && held.updatedAtMs > job.updatedAtMs) {
      return jobs.slice();
    }
    const next = jobs.slice();
    next[at] = job;
    return next;
  }
  return [job, ...jobs].sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** Since it was sent (or made) until it finished (or `nowMs`), as the backend counts it. */
export function jobElapsedMs(job: Pick<VideoJob, "createdAtMs" | "submittedAtMs" | "completedAtMs">, nowMs: number): number {
  const start = job.submittedAtMs ?? job.createdAtMs;
  const end = job.completedAtMs ?? nowMs;
  return Math.max(0, end - start);
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
export function formatElapsed(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  }
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

export type JobTone = "waiting" | "busy" | "good" | "bad";

export interface JobStateWords {
  /** `.job-state`: "Queued", "Generating — 42%", "Done". */
  label: string;
  tone: JobTone;
}

export function jobStateWords(job: Pick<VideoJob, "state" | "progress" | "error" | "submittedAtMs">): JobStateWords {
  switch (job.state) {
    case "awaiting_confirmation":
      return { label: "Waiting for your confirmation", tone: "waiting" };
    case "submitting":
      return { label: "Sending…", tone: "busy" };
    case "queued":
      return { label: "Queued", tone: "busy" };
    case "running":
      return { label: job.progress === null ? "Generating…" : `Generating — ${job.progress}%`, tone: "busy" };
    case "downloading":
      return job.error === null ? { label: "Downloading…", tone: "busy" } : { label: "Download failed", tone: "bad" };
    case "completed":
      return { label: "Done", tone: "good" };
    case "failed":
      // Declined, or refused before it was sent: nothing was made, nothing went wrong at the provider.
      return job.submittedAtMs === null ? { label: "Not sent", tone: "waiting" } : { label: "Failed", tone: "bad" };
    case "expired":
      return { label: "Expired", tone: "bad" };
  }
}

/** Whether the job is still moving (its elapsed time keeps counting). */
export function isLive(job: Pick<VideoJob, "state">): boolean {
  return job.state === "submitting" || job.state === "queued" || job.state === "running" || job.state === "downloading";
}

/** A finished video on this machine, playable in the window. */
export function isPlayable(job: Pick<VideoJob, "state" | "localPath">): job is Pick<VideoJob, "state"> & { localPath: string } {
  return job.state === "completed" && job.localPath !== null && job.localPath !== "";
}

/** The provider made it but the file did not come down: "Download again" (nothing is charged again). */
export function canRetryDownload(job: Pick<VideoJob, "state" | "error">): boolean {
  return job.state === "downloading" && job.error !== null;
}

/** The model as the form named it ("Seedance 2.0 fast"), from the provider's own id. */
export function modelLabel(modelId: string, models: readonly VideoModelOption[] = []): string {
  const known = models.find((m) => m.id === modelId);
  if (known !== undefined) {
    return known.label;
  }
  // Every provider names the fast tier with "fast" in its id (the backend reads it the same way).
  return modelId.toLowerCase().includes("fast") ? "Seedance 2.0 fast" : "Seedance 2.0";
}

/** "5 s · 720p · 16:9". */
export function jobSpecLine(job: Pick<VideoJob, "durationSeconds" | "resolution" | "aspectRatio">): string {
  return `${job.durationSeconds} s · ${job.resolution} · ${job.aspectRatio}`;
}

/** "$0.79" when the job has a price; "quoted $0.79" when it was not charged (declined, failed). */
export function priceText(job: Pick<VideoJob, "priceUsd" | "charged">): string | null {
  const p = job.priceUsd?.trim() ?? "";
  if (p === "") {
    return null;
  }
  return job.charged === false ? `quoted $${p}` : `$${p}`;
}
