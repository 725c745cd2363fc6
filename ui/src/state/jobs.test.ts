import { describe, expect, it } from "vitest";
import type { VideoJob } from "../ipc";
import { T0, job, refused } from "../testing/views";
import { Jobs, type JobsBackend } from "./jobs.svelte";

function backend(overrides: Partial<JobsBackend> = {}) {
  let push: ((job: VideoJob) => void) | null = null;
  const calls: string[] = [];
  const b: JobsBackend = {
    watch: (onUpdate) => {
      calls.push("watch");
      push = onUpdate;
      return Promise.resolve();
    },
    list: () => {
      calls.push("list");
      return Promise.resolve([job({ id: "vid_old", createdAtMs: T0 - 1000 }), job({ id: "vid_new", createdAtMs: T0 })]);
    },
    download: (id) => {
      calls.push(`download:${id}`);
      return Promise.resolve(job({ id, state: "completed", localPath: "/media/x.mp4", updatedAtMs: T0 + 99_000 }));
    },
    reveal: (id) => {
      calls.push(`reveal:${id}`);
      return Promise.resolve(null);
    },
    save: (id) => {
      calls.push(`save:${id}`);
      return Promise.resolve(`/home/producer/Videos/${id}.mp4`);
    },
    ...overrides,
  };
  return { b, calls, push: (j: VideoJob) => push?.(j) };
}

describe("Jobs", () => {
  it("subscribes before listing, once, and keeps the newest first", async () => {
    const { b, calls } = backend();
    const jobs = new Jobs(b);
    await jobs.init();
    await jobs.init();
    expect(calls).toEqual(["watch", "list"]);
    expect(jobs.list.map((j) => j.id)).toEqual(["vid_new", "vid_old"]);
    expect(jobs.loaded).toBe(true);
  });

  it("folds the stream's changes in", async () => {
    const { b, push } = backend();
    const jobs = new Jobs(b);
    await jobs.init();
    push(job({ id: "vid_new", createdAtMs: T0, state: "running", progress: 30, updatedAtMs: T0 + 10_000 }));
    push(job({ id: "vid_newer", createdAtMs: T0 + 5_000 }));
    expect(jobs.list.map((j) => [j.id, j.state])).toEqual([
      ["vid_newer", "queued"],
      ["vid_new", "running"],
      ["vid_old", "queued"],
    ]);
  });

  it("counts jobs that ended while the operator was elsewhere, once each, until Generate is seen", async () => {
    const { b, push } = backend();
    const jobs = new Jobs(b);
    await jobs.init();
    push(job({ id: "vid_new", state: "running" }));
    expect(jobs.unseen).toEqual([]);
    push(job({ id: "vid_new", state: "completed", localPath: "/media/x.mp4" }));
    // The charge note lands after the file: still one.
    push(job({ id: "vid_new", state: "completed", localPath: "/media/x.mp4", charged: true }));
    push(job({ id: "vid_old", state: "failed", error: "The provider refused it." }));
    expect(jobs.unseen).toEqual(["vid_new", "vid_old"]);
    jobs.markSeen();
    expect(jobs.unseen).toEqual([]);
    // A job first heard of already finished (listed at launch) is no news.
    push(job({ id: "vid_other", state: "completed" }));
    expect(jobs.unseen).toEqual([]);
  });

  it("downloads again and reveals, one action per job, keeping a failure by its row", async () => {
    const { b, calls } = backend({
      reveal: () => refused({ code: "invalid_input", message: "This job has no video on this computer yet.", field: "job" }),
    });
    const jobs = new Jobs(b);
    await jobs.init();
    const first = jobs.downloadAgain("vid_old");
    expect(jobs.busy).toEqual({ vid_old: "download" });
    await jobs.downloadAgain("vid_old");
    await first;
    expect(calls.filter((c) => c.startsWith("download"))).toEqual(["download:vid_old"]);
    expect(jobs.list.find((j) => j.id === "vid_old")?.state).toBe("completed");
    await jobs.reveal("vid_new");
    expect(jobs.actionErrors.vid_new?.message).toBe("This job has no video on this computer yet.");
    expect(jobs.busy).toEqual({});
  });

  it("saves a copy where the operator chose, and says nothing when the dialog was closed", async () => {
    let answer: string | null = "/home/producer/Videos/ada.mp4";
    const { b, calls } = backend({
      save: (id) => {
        calls.push(`save:${id}`);
        return Promise.resolve(answer);
      },
    });
    const jobs = new Jobs(b);
    await jobs.init();
    await jobs.saveTo("vid_new");
    expect(jobs.savedTo).toEqual({ vid_new: "/home/producer/Videos/ada.mp4" });
    answer = null;
    await jobs.saveTo("vid_old");
    expect(jobs.savedTo).toEqual({ vid_new: "/home/producer/Videos/ada.mp4" });
    expect(calls.filter((c) => c.startsWith("save"))).toEqual(["save:vid_new", "save:vid_old"]);
    expect(jobs.busy).toEqual({});
  });

  it("says when the jobs cannot be listed", async () => {
    const { b } = backend({ list: () => refused({ code: "storage", message: "The studio database failed.", field: null }) });
    const jobs = new Jobs(b);
    await jobs.init();
    expect(jobs.loadError?.message).toBe("The studio database failed.");
    expect(jobs.loaded).toBe(true);
  });
});
