import { describe, expect, it } from "vitest";
import type { VideoJob, VideoRequest } from "../ipc";
import { job, quote, refused } from "../testing/views";
import { VideoOrder, type OrderBackend } from "./order.svelte";

const REQUEST: VideoRequest = {
  faceAssetId: "ta_0123456789abcdef0123456789abcdef",
  prompt: "She waves",
  model: "bytedance/seedance-2.0-fast",
  durationSeconds: 5,
  resolution: "720p",
  aspectRatio: "16:9",
};

const awaiting = job({ state: "awaiting_confirmation", submittedAtMs: null, quote: quote({ amountUsdc: "0.79" }), paymentId: null });

function order(overrides: Partial<OrderBackend> = {}) {
  const calls: string[] = [];
  const heard: VideoJob[] = [];
  const backend: OrderBackend = {
    quote: (r) => {
      calls.push(`quote:${r.faceAssetId}`);
      return Promise.resolve(awaiting);
    },
    confirm: (id, payee) => {
      calls.push(`confirm:${id}:${payee}`);
      return Promise.resolve(job({ state: "queued", quote: null }));
    },
    decline: (id) => {
      calls.push(`decline:${id}`);
      return Promise.resolve(job({ state: "failed", submittedAtMs: null, charged: false }));
    },
    ...overrides,
  };
  return { o: new VideoOrder(backend, (j) => heard.push(j)), calls, heard };
}

describe("VideoOrder", () => {
  it("shows the price, then sends the job once confirmed", async () => {
    const { o, calls, heard } = order();
    await o.quote(REQUEST);
    expect(o.job).toEqual(awaiting);
    expect(heard.map((j) => j.state)).toEqual(["awaiting_confirmation"]);
    // A second ask while a price is shown sends nothing.
    await o.quote(REQUEST);
    await o.confirm(false);
    expect(calls).toEqual([`quote:${REQUEST.faceAssetId}`, `confirm:${awaiting.id}:false`]);
    expect(o.job).toBeNull();
    expect(o.sent?.state).toBe("queued");
    expect(heard.map((j) => j.state)).toEqual(["awaiting_confirmation", "queued"]);
  });

  it("declines: nothing is sent, the job is heard as not sent", async () => {
    const { o, calls, heard } = order();
    await o.quote(REQUEST);
    await o.decline();
    expect(calls).toEqual([`quote:${REQUEST.faceAssetId}`, `decline:${awaiting.id}`]);
    expect(o.job).toBeNull();
    expect(o.sent).toBeNull();
    expect(heard.at(-1)?.state).toBe("failed");
  });

  it("places a refused quote next to the field it names, or under the form", async () => {
    const refusing = (field: string | null) =>
      order({
        quote: () => refused({ code: "invalid_input", message: "No.", field }),
      }).o;
    const byPrompt = refusing("prompt");
    await byPrompt.quote(REQUEST);
    expect(byPrompt.problem).toMatchObject({ place: "prompt", error: { message: "No." } });
    const byJob = refusing("job");
    await byJob.quote(REQUEST);
    expect(byJob.problem?.place).toBe("form");
    expect(byJob.busy).toBeNull();
  });

  it("asks twice for a new payee: a refusal to confirm shows in the panel and turns the tick on", async () => {
    const { o } = order({
      confirm: () => refused({ code: "confirmation_needed", message: "Confirm the new payee.", field: null }),
    });
    await o.quote(REQUEST);
    expect(o.payeeChanged).toBe(false);
    await o.confirm(false);
    expect(o.problem).toMatchObject({ place: "panel", error: { code: "confirmation_needed" } });
    expect(o.payeeChanged).toBe(true);
    expect(o.job).toEqual(awaiting);
  });

  it("keeps the form's own refusals like the backend's, and reviews a waiting job from the list", () => {
    const { o } = order();
    o.refuse("face", "Pick the face for the video.");
    expect(o.problem).toEqual({ place: "face", error: { code: "invalid_input", message: "Pick the face for the video.", field: "face" } });
    o.review(job({ state: "queued" }));
    expect(o.job).toBeNull();
    o.review(awaiting);
    expect(o.job).toEqual(awaiting);
    expect(o.problem).toBeNull();
  });

  it("follows a job the provider took without asking to be paid", async () => {
    const { o } = order({ quote: () => Promise.resolve(job({ state: "queued" })) });
    await o.quote(REQUEST);
    expect(o.job).toBeNull();
    expect(o.sent?.state).toBe("queued");
  });
});
