import { clearMocks, mockConvertFileSrc, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  asCommandError,
  commands,
  convertFileSrc,
  isErrorCode,
  watchAssets,
  watchJobs,
  watchSessions,
  type Face,
  type SessionView,
  type VideoJob,
} from "./ipc";
import { asset, job, view } from "./testing/views";

describe("asCommandError", () => {
  it("passes the backend's {code, message, field} through", () => {
    const e = { code: "face_mismatch", message: "The photo does not match the live face.", field: "image_url" };
    expect(asCommandError(e)).toEqual(e);
  });

  it("keeps a null field null and drops an empty one", () => {
    expect(asCommandError({ code: "rate_limited", message: "Wait 30 seconds.", field: null }).field).toBeNull();
    expect(asCommandError({ code: "rate_limited", message: "Wait.", field: "" }).field).toBeNull();
    expect(asCommandError({ code: "rate_limited", message: "Wait." }).field).toBeNull();
  });

  it("keeps a rate limit's wait, and only a sensible one", () => {
    const limited = { code: "rate_limited", message: "Rehearsal is rate-limiting us.", field: null, retryAfterSeconds: 600 };
    expect(asCommandError(limited)).toEqual(limited);
    expect(asCommandError({ ...limited, retryAfterSeconds: null })).not.toHaveProperty("retryAfterSeconds");
    expect(asCommandError({ ...limited, retryAfterSeconds: "600" })).not.toHaveProperty("retryAfterSeconds");
    expect(asCommandError({ ...limited, retryAfterSeconds: -5 })).not.toHaveProperty("retryAfterSeconds");
    expect(asCommandError({ code: "network", message: "Offline." })).not.toHaveProperty("retryAfterSeconds");
  });

  it("knows the expired-link code", () => {
    expect(asCommandError({ code: "session_expired", message: "The link ran out. Generate a fresh QR…" }).code).toBe("session_expired");
  });

  it("turns Tauri's own string errors into internal errors", () => {
    expect(asCommandError("command start_session not found")).toEqual({
      code: "internal",
      message: "command start_session not found",
      field: null,
    });
  });

  it("turns JS errors into internal errors with their message", () => {
    expect(asCommandError(new TypeError("x is undefined"))).toEqual({ code: "internal", message: "x is undefined", field: null });
  });

  it("never trusts an unknown code", () => {
    expect(asCommandError({ code: "brand_new", message: "Hm.", field: null }).code).toBe("internal");
    expect(asCommandError({ code: 7, message: "Hm." }).code).toBe("internal");
  });

  it("has a plain message for anything without one", () => {
    for (const e of [undefined, null, 42, {}, { code: "network" }, "", new Error("")]) {
      const c = asCommandError(e);
      expect(c.code).toBe("internal");
      expect(c.message.length).toBeGreaterThan(10);
      expect(c.field).toBeNull();
    }
  });

  it("knows every code the backend sends", () => {
    expect(isErrorCode("invalid_input")).toBe(true);
    expect(isErrorCode("toString")).toBe(false);
    expect(isErrorCode("constructor")).toBe(false);
  });
});

describe("through Tauri's IPC (mocked)", () => {
  beforeEach(() => {
    vi.stubGlobal("window", globalThis);
  });

  afterEach(() => {
    clearMocks();
    vi.unstubAllGlobals();
  });

  it("sends camelCase arguments to the snake_case command", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return view();
    });
    await commands.startSession("Ada", "https://p.example/a.jpg", false);
    expect(calls).toEqual([["start_session", { name: "Ada", imageUrl: "https://p.example/a.jpg", photoOverride: false }]]);
  });

  it("rejects with the backend's CommandError, which normalises to itself", async () => {
    const refusal = { code: "invalid_input", message: "The photo link leads to a 'not found' page (404).", field: "image_url" };
    mockIPC(() => {
      throw refusal;
    });
    const e: unknown = await commands.checkPhoto("https://p.example/missing.jpg").catch((err: unknown) => err);
    expect(asCommandError(e)).toEqual(refusal);
  });

  it("watchSessions hands a channel to watch_sessions and delivers its messages in order", async () => {
    let channelId: number | undefined;
    mockIPC((cmd, args) => {
      if (cmd === "watch_sessions") {
        channelId = (args as { onUpdate: { id: number } }).onUpdate.id;
        return null;
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const seen: SessionView[] = [];
    await watchSessions((v) => seen.push(v));
    expect(channelId).toBeTypeOf("number");

    const internals = (globalThis as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
      .__TAURI_INTERNALS__;
    const first = view({ state: "awaiting_scan" });
    const second = view({ state: "verified", updatedAtMs: 2 });
    // Out of order on the wire: the channel reorders by index before our callback sees them.
    internals.runCallback(channelId ?? -1, { index: 1, message: second });
    internals.runCallback(channelId ?? -1, { index: 0, message: first });
    expect(seen).toEqual([first, second]);
  });

  it("watchAssets hands every asset change to the callback, in the order sent", async () => {
    let channelId: number | undefined;
    mockIPC((cmd, args) => {
      if (cmd === "watch_assets") {
        channelId = (args as { onUpdate: { id: number } }).onUpdate.id;
        return null;
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const seen: Face[] = [];
    await watchAssets((f) => seen.push(f));
    const internals = (globalThis as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
      .__TAURI_INTERNALS__;
    const processing = asset({ status: "processing" });
    const active = asset({ status: "active" });
    internals.runCallback(channelId ?? -1, { index: 1, message: active });
    internals.runCallback(channelId ?? -1, { index: 0, message: processing });
    expect(seen).toEqual([processing, active]);
  });

  it("watchJobs hands every job change to the callback, in the order sent", async () => {
    let channelId: number | undefined;
    mockIPC((cmd, args) => {
      if (cmd === "watch_jobs") {
        channelId = (args as { onUpdate: { id: number } }).onUpdate.id;
        return null;
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const seen: VideoJob[] = [];
    await watchJobs((j) => seen.push(j));
    const internals = (globalThis as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
      .__TAURI_INTERNALS__;
    const running = job({ state: "running", progress: 40 });
    const done = job({ state: "completed", localPath: "/media/vid_1.mp4" });
    internals.runCallback(channelId ?? -1, { index: 1, message: done });
    internals.runCallback(channelId ?? -1, { index: 0, message: running });
    expect(seen).toEqual([running, done]);
  });

  it("turns a local video's path into the asset protocol's URL", () => {
    mockConvertFileSrc("linux");
    expect(convertFileSrc("/home/op/.local/share/studio.likeness.app/media/vid 1.mp4")).toBe(
      "asset://localhost/%2Fhome%2Fop%2F.local%2Fshare%2Fstudio.likeness.app%2Fmedia%2Fvid%201.mp4",
    );
    mockConvertFileSrc("windows");
    expect(convertFileSrc("C:\\media\\vid_1.mp4")).toBe("http://asset.localhost/C%3A%5Cmedia%5Cvid_1.mp4");
  });

  it("watchSessions fails loudly when the backend refuses", async () => {
    mockIPC(() => {
      throw "watch_sessions not allowed. Permissions associated with this command: []";
    });
    const e: unknown = await watchSessions(() => undefined).catch((err: unknown) => err);
    expect(asCommandError(e)).toMatchObject({ code: "internal", message: expect.stringContaining("not allowed") as string });
  });
});
