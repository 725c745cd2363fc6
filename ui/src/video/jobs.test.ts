import { describe, expect, it } from "vitest";
import { T0, job } from "../testing/views";
import { videoOptions } from "../testing/views";
import {
  canRetryDownload,
  formatElapsed,
  isLive,
  isPlayable,
  jobElapsedMs,
  jobSpecLine,
  jobStateWords,
  modelLabel,
  priceText,
  upsertJob,
} from "./jobs";

describe("jobStateWords", () => {
  it("says where a job stands in plain words", () => {
    expect(jobStateWords(job({ state: "awaiting_confirmation", submittedAtMs: null }))).toEqual({ label: "Waiting for your confirmation", tone: "waiting" });
    expect(jobStateWords(job({ state: "submitting" })).label).toBe("Sending…");
    expect(jobStateWords(job({ state: "queued" }))).toEqual({ label: "Queued", tone: "busy" });
    expect(jobStateWords(job({ state: "running", progress: null })).label).toBe("Generating…");
    expect(jobStateWords(job({ state: "running", progress: 42 })).label).toBe("Generating — 42%");
    expect(jobStateWords(job({ state: "downloading" })).label).toBe("Downloading…");
    expect(jobStateWords(job({ state: "downloading", error: "cut off" }))).toEqual({ label: "Download failed", tone: "bad" });
    expect(jobStateWords(job({ state: "completed" }))).toEqual({ label: "Done", tone: "good" });
    expect(jobStateWords(job({ state: "failed" }))).toEqual({ label: "Failed", tone: "bad" });
    expect(jobStateWords(job({ state: "expired" }))).toEqual({ label: "Expired", tone: "bad" });
  });

  it("does not call a declined job a failure", () => {
    expect(jobStateWords(job({ state: "failed", submittedAtMs: null, error: "Declined: nothing was signed or charged." }))).toEqual({
      label: "Not sent",
      tone: "waiting",
    });
  });
});

describe("elapsed time", () => {
  it("counts from submission (or creation) to completion (or now), like the backend", () => {
    expect(jobElapsedMs(job({ createdAtMs: T0, submittedAtMs: T0 + 2_000, completedAtMs: null }), T0 + 62_000)).toBe(60_000);
    expect(jobElapsedMs(job({ createdAtMs: T0, submittedAtMs: null, completedAtMs: null }), T0 + 5_000)).toBe(5_000);
    expect(jobElapsedMs(job({ submittedAtMs: T0 + 2_000, completedAtMs: T0 + 92_000 }), T0 + 999_999)).toBe(90_000);
    // A clock a little behind the backend's never shows a negative time.
    expect(jobElapsedMs(job({ submittedAtMs: T0 + 2_000 }), T0)).toBe(0);
  });

  it("reads as seconds, minutes or hours", () => {
    expect(formatElapsed(0)).toBe("0 s");
    expect(formatElapsed(42_900)).toBe("42 s");
    expect(formatElapsed(185_000)).toBe("3 min 05 s");
    expect(formatElapsed(3_725_000)).toBe("1 h 02 min");
    expect(formatElapsed(-5)).toBe("0 s");
  });

  it("keeps counting only while the job moves", () => {
    expect(["submitting", "queued", "running", "downloading"].every((state) => isLive(job({ state: state as never })))).toBe(true);
    expect(["awaiting_confirmation", "completed", "failed", "expired"].some((state) => isLive(job({ state: state as never })))).toBe(false);
  });
});

describe("what the row offers", () => {
  it("plays a finished video from its local file only", () => {
    expect(isPlayable(job({ state: "completed", localPath: "/media/vid_1.mp4" }))).toBe(true);
    expect(isPlayable(job({ state: "completed", localPath: null }))).toBe(false);
    expect(isPlayable(job({ state: "downloading", localPath: "/media/vid_1.mp4" }))).toBe(false);
  });

  it("offers Download again only for a download that failed", () => {
    expect(canRetryDownload(job({ state: "downloading", error: "connection reset" }))).toBe(true);
    expect(canRetryDownload(job({ state: "downloading", error: null }))).toBe(false);
    expect(canRetryDownload(job({ state: "failed", error: "moderation" }))).toBe(false);
  });

  it("names the model, the settings and the price", () => {
    const models = videoOptions().models;
    expect(modelLabel("bytedance/seedance-2.0", models)).toBe("Seedance 2.0");
    expect(modelLabel("seedance-fast")).toBe("Seedance 2.0 fast");
    expect(modelLabel("bytedance/seedance2-0-r2v")).toBe("Seedance 2.0");
    expect(jobSpecLine(job())).toBe("5 s · 720p · 16:9");
    expect(priceText(job({ priceUsd: "0.79" }))).toBe("$0.79");
    expect(priceText(job({ priceUsd: "0.79", charged: false }))).toBe("quoted $0.79");
    expect(priceText(job({ priceUsd: null }))).toBeNull();
  });
});

describe("upsertJob", () => {
  it("keeps the newest first and replaces a job by id", () => {
    const a = job({ id: "vid_a", createdAtMs: T0 });
    const b = job({ id: "vid_b", createdAtMs: T0 + 1000 });
    let list = upsertJob(upsertJob([], a), b);
    expect(list.map((j) => j.id)).toEqual(["vid_b", "vid_a"]);
    list = upsertJob(list, { ...a, state: "running", updatedAtMs: a.updatedAtMs + 1 });
    expect(list.map((j) => [j.id, j.state])).toEqual([
      ["vid_b", "queued"],
      ["vid_a", "running"],
    ]);
  });

  it("ignores word older than what it holds", () => {
    const done = job({ state: "completed", updatedAtMs: T0 + 9_000 });
    expect(upsertJob([done], job({ state: "running", updatedAtMs: T0 + 5_000 }))[0]?.state).toBe("completed");
    expect(upsertJob([done], job({ state: "completed", updatedAtMs: T0 + 9_000, localPath: "/m.mp4" }))[0]?.localPath).toBe("/m.mp4");
  });
});
