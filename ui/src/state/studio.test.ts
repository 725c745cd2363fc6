import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Face, SessionView, StageInfo } from "../ipc";
import { T0, asset, face as faceOf, quote, view } from "../testing/views";
import { Studio } from "./studio.svelte";

type Handler = (cmd: string, args: Record<string, unknown>) => unknown;

function backend(handlers: Record<string, Handler>): void {
  mockIPC((cmd, args) => {
    const handler = handlers[cmd];
    if (handler === undefined) {
      throw `command ${cmd} not found`;
    }
    return handler(cmd, (args ?? {}) as Record<string, unknown>);
  });
}

const stage = {
  provider: "rehearsal",
  baseUrl: "http://127.0.0.1:8402/",
  phoneHost: "127.0.0.1",
  phoneReach: null,
  rehearsalPort: 8402,
  hasApiKey: true,
  paymentMethod: "wallet",
  wallet: null,
  rehearsalPersonality: "blockrun" as const,
};

const face: Face = faceOf({ enrolledAtMs: T0 + 40_000 });

beforeEach(() => {
  vi.stubGlobal("window", globalThis);
});

afterEach(() => {
  clearMocks();
  vi.unstubAllGlobals();
});

describe("Studio.init", () => {
  it("subscribes once, then shows the newest session left open", async () => {
    const subscriptions: unknown[] = [];
    backend({
      get_stage: () => stage,
      watch_sessions: (_c, args) => subscriptions.push(args.onUpdate),
      watch_assets: () => null,
      list_open_sessions: () => [
        view({ id: "new", createdAtMs: T0 + 1 }),
        view({ id: "old", state: "expired", createdAtMs: T0 - 1 }, { qrSvg: null }),
      ],
    });
    const studio = new Studio();
    await studio.init();
    await studio.init();
    expect(subscriptions).toHaveLength(1);
    expect(studio.selectedId).toBe("new");
    expect(studio.current?.session.id).toBe("new");
    expect(studio.open.map((v) => v.session.id)).toEqual(["new", "old"]);
    expect(studio.stage).toEqual(stage);
    expect(studio.banner).toBeNull();
  });

  it("shows the form when nothing is open, and a banner when the backend fails", async () => {
    backend({
      get_stage: () => stage,
      watch_sessions: () => null,
      watch_assets: () => null,
      list_open_sessions: () => {
        throw { code: "storage", message: "The studio database failed: disk I/O error", field: null };
      },
    });
    const studio = new Studio();
    await studio.init();
    expect(studio.selectedId).toBeNull();
    expect(studio.banner).toEqual({ code: "storage", message: "The studio database failed: disk I/O error", field: null });
  });

  it("folds channel updates into the board", async () => {
    let channel: { id: number } | undefined;
    backend({
      get_stage: () => stage,
      watch_sessions: (_c, args) => {
        channel = args.onUpdate as { id: number };
        return null;
      },
      watch_assets: () => null,
      list_open_sessions: () => [view()],
    });
    const studio = new Studio();
    await studio.init();
    const internals = (globalThis as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
      .__TAURI_INTERNALS__;
    internals.runCallback(channel?.id ?? -1, { index: 0, message: view({ state: "verified", updatedAtMs: T0 + 9 }) });
    expect(studio.current?.session.state).toBe("verified");
  });

  it("keeps the latest word on every asset from the asset stream, never going back to processing", async () => {
    let channel: { id: number } | undefined;
    backend({
      get_stage: () => stage,
      watch_sessions: () => null,
      watch_assets: (_c, args) => {
        channel = args.onUpdate as { id: number };
        return null;
      },
      list_open_sessions: () => [],
    });
    const studio = new Studio();
    await studio.init();
    const internals = (globalThis as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
      .__TAURI_INTERNALS__;
    const id = channel?.id ?? -1;
    internals.runCallback(id, { index: 0, message: asset({ status: "processing" }) });
    expect(studio.assets[asset().assetId]?.status).toBe("processing");
    internals.runCallback(id, { index: 1, message: asset({ status: "active" }) });
    expect(studio.assets[asset().assetId]?.status).toBe("active");
    // A session view filed before the upload settled brings the old word: it is not taken.
    studio.receive(view({ state: "enrolled", assetId: asset().assetId, updatedAtMs: T0 + 5 }, { asset: asset({ status: "processing" }) }));
    expect(studio.assets[asset().assetId]?.status).toBe("active");
    expect(studio.banner).toBeNull();
  });

  it("opens the Library's add-asset form for a group", () => {
    const studio = new Studio();
    studio.openAddAsset({ provider: "anyfast", groupId: "group-1" });
    expect(studio.screen).toBe("library");
    expect(studio.addAssetFor).toEqual({ provider: "anyfast", groupId: "group-1" });
  });
});

describe("Studio actions", () => {
  it("starts a session and selects it", async () => {
    backend({ start_session: (_c, args) => view({ id: "ses_new", talentName: args.name as string }) });
    const studio = new Studio();
    const result = await studio.start("Grace Hopper", "https://photos.example/g.jpg");
    expect(result.ok).toBe(true);
    expect(studio.current?.session.talentName).toBe("Grace Hopper");
  });

  it("returns a refused start for the form, normalised", async () => {
    backend({
      start_session: () => {
        throw { code: "invalid_input", message: "Type the talent's name.", field: "name" };
      },
    });
    const studio = new Studio();
    expect(await studio.start("", "https://photos.example/g.jpg")).toEqual({
      ok: false,
      error: { code: "invalid_input", message: "Type the talent's name.", field: "name" },
    });
    expect(studio.selectedId).toBeNull();
  });

  it("keeps a failed enroll next to the session and leaves Enroll available", async () => {
    backend({
      enroll_session: () => {
        throw { code: "face_mismatch", message: "The photo does not match the live face. Nothing was charged.", field: "image_url" };
      },
    });
    const studio = new Studio();
    studio.receive(view({ state: "verified" }));
    studio.select("ses_0001");
    const running = studio.act("ses_0001", "enroll");
    expect(studio.busy.ses_0001).toBe("enroll");
    await running;
    expect(studio.busy.ses_0001).toBeUndefined();
    expect(studio.actionErrors.ses_0001).toEqual({
      action: "enroll",
      error: { code: "face_mismatch", message: "The photo does not match the live face. Nothing was charged.", field: "image_url" },
    });
    expect(studio.libraryVersion).toBe(0);
  });

  it("records the enrolled face and asks the library to reload", async () => {
    const sent: unknown[] = [];
    backend({
      enroll_session: (_c, args) => {
        sent.push(args);
        return { outcome: "enrolled", face };
      },
    });
    const studio = new Studio();
    studio.receive(view({ state: "verified" }));
    await studio.act("ses_0001", "enroll");
    // The plain Enroll keeps the session's own photo.
    expect(sent).toEqual([{ id: "ses_0001", imageUrl: null, photoOverride: null }]);
    expect(studio.enrolled.ses_0001).toEqual(face);
    expect(studio.libraryVersion).toBe(1);
    // The channel's "enrolled" view for the same enrollment bumps it again; the library reloads.
    studio.receive(view({ state: "enrolled", assetId: face.assetId, updatedAtMs: T0 + 40_000 }));
    expect(studio.libraryVersion).toBe(2);
    studio.receive(view({ state: "enrolled", assetId: face.assetId, updatedAtMs: T0 + 40_000 }));
    expect(studio.libraryVersion).toBe(2);
  });

  it("enrolls with another photo after a mismatch, and says how it went", async () => {
    const sent: unknown[] = [];
    let mismatch = true;
    backend({
      enroll_session: (_c, args) => {
        sent.push(args);
        if (mismatch) {
          throw { code: "face_mismatch", message: "The photo does not match the live face. Nothing was charged.", field: "image_url" };
        }
        return { outcome: "enrolled", face: { ...face, imageUrl: args.imageUrl as string } };
      },
    });
    const studio = new Studio();
    studio.receive(view({ state: "verified" }));
    const refused = await studio.enrollWithPhoto("ses_0001", "https://photos.example/ada-2.jpg");
    expect(refused).toEqual({
      ok: false,
      error: { code: "face_mismatch", message: "The photo does not match the live face. Nothing was charged.", field: "image_url" },
    });
    expect(studio.actionErrors.ses_0001?.action).toBe("enroll_new_photo");
    mismatch = false;
    const running = studio.enrollWithPhoto("ses_0001", "https://photos.example/ada-3.jpg");
    expect(studio.busy.ses_0001).toBe("enroll_new_photo");
    expect(await running).toEqual({ ok: true });
    expect(sent).toEqual([
      { id: "ses_0001", imageUrl: "https://photos.example/ada-2.jpg", photoOverride: false },
      { id: "ses_0001", imageUrl: "https://photos.example/ada-3.jpg", photoOverride: false },
    ]);
    expect(studio.actionErrors.ses_0001).toBeUndefined();
    expect(studio.enrolled.ses_0001?.imageUrl).toBe("https://photos.example/ada-3.jpg");
    expect(studio.libraryVersion).toBe(1);
  });

  it("does not send an enroll with another photo while another action runs", async () => {
    let calls = 0;
    backend({
      check_session: () => view({ state: "verified", updatedAtMs: T0 + 1 }),
      enroll_session: () => {
        calls += 1;
        return { outcome: "enrolled", face };
      },
    });
    const studio = new Studio();
    studio.receive(view());
    const checking = studio.act("ses_0001", "check");
    expect(await studio.enrollWithPhoto("ses_0001", "https://photos.example/ada-2.jpg")).toEqual({ ok: false, error: null });
    await checking;
    expect(calls).toBe(0);
  });

  it("clears an earlier failure when the next action starts", async () => {
    let fail = true;
    backend({
      check_session: () => {
        if (fail) {
          throw { code: "rate_limited", message: "Rehearsal is rate-limiting us. Wait 30 seconds, then try again.", field: null };
        }
        return view({ state: "verified", updatedAtMs: T0 + 1 });
      },
    });
    const studio = new Studio();
    studio.receive(view());
    await studio.act("ses_0001", "check");
    expect(studio.actionErrors.ses_0001?.error.code).toBe("rate_limited");
    fail = false;
    await studio.act("ses_0001", "check");
    expect(studio.actionErrors.ses_0001).toBeUndefined();
    expect(studio.board.views.ses_0001?.session.state).toBe("verified");
  });

  it("runs one action per session at a time", async () => {
    let calls = 0;
    backend({
      refresh_session: () => {
        calls += 1;
        return view({ updatedAtMs: T0 + 5 });
      },
    });
    const studio = new Studio();
    studio.receive(view({ state: "expired" }));
    await Promise.all([studio.act("ses_0001", "refresh"), studio.act("ses_0001", "refresh")]);
    expect(calls).toBe(1);
  });

  it("returns to the form after cancelling the session on screen", async () => {
    backend({ cancel_session: () => view({ state: "cancelled", updatedAtMs: T0 + 3 }) });
    const studio = new Studio();
    studio.receive(view());
    studio.select("ses_0001");
    await studio.act("ses_0001", "cancel");
    expect(studio.selectedId).toBeNull();
    expect(studio.open).toEqual([]);
  });
});

describe("Studio payments", () => {
  const asking = (): SessionView => view({ state: "awaiting_payment", updatedAtMs: T0 + 10 }, { quote: quote(), payeeChanged: true });

  it("shows the quote when the enroll needs a payment, and enrolls nothing yet", async () => {
    backend({ enroll_session: () => ({ outcome: "payment_required", view: asking() }) });
    const studio = new Studio();
    studio.receive(view({ state: "verified" }));
    studio.select("ses_0001");
    await studio.act("ses_0001", "enroll");
    expect(studio.current?.session.state).toBe("awaiting_payment");
    expect(studio.current?.quote?.amountUsdc).toBe("0.01");
    expect(studio.current?.payeeChanged).toBe(true);
    expect(studio.enrolled.ses_0001).toBeUndefined();
    expect(studio.libraryVersion).toBe(0);
    expect(studio.actionErrors.ses_0001).toBeUndefined();
  });

  it("counts an enroll with another photo that now waits for payment as sent", async () => {
    backend({ enroll_session: () => ({ outcome: "payment_required", view: asking() }) });
    const studio = new Studio();
    studio.receive(view({ state: "verified" }));
    expect(await studio.enrollWithPhoto("ses_0001", "https://photos.example/ada-2.jpg")).toEqual({ ok: true });
    expect(studio.board.views.ses_0001?.session.state).toBe("awaiting_payment");
  });

  it("confirms with the payee tick, records the face and reloads library and payments", async () => {
    const sent: unknown[] = [];
    backend({
      confirm_payment: (_c, args) => {
        sent.push(args);
        return { ...face, priceUsd: "0.01", txHash: "0xabc" };
      },
    });
    const studio = new Studio();
    studio.receive(asking());
    const running = studio.confirmPayment("ses_0001", true);
    expect(studio.busy.ses_0001).toBe("pay");
    expect(await running).toBe(true);
    expect(sent).toEqual([{ id: "ses_0001", payeeChangeConfirmed: true }]);
    expect(studio.enrolled.ses_0001?.txHash).toBe("0xabc");
    expect(studio.libraryVersion).toBe(1);
    expect(studio.paymentsVersion).toBe(1);
  });

  it("keeps a refused payment next to the session and still reloads the payments", async () => {
    const refusal = { code: "payment_refused", message: "The price is over your per-payment cap of $2. Nothing was signed.", field: null };
    backend({
      confirm_payment: () => {
        throw refusal;
      },
    });
    const studio = new Studio();
    studio.receive(asking());
    expect(await studio.confirmPayment("ses_0001", false)).toBe(false);
    expect(studio.actionErrors.ses_0001).toEqual({ action: "pay", error: refusal });
    expect(studio.paymentsVersion).toBe(1);
    expect(studio.libraryVersion).toBe(0);
  });

  it("declines: back to verified, the quote gone", async () => {
    backend({ decline_payment: () => view({ state: "verified", updatedAtMs: T0 + 11 }) });
    const studio = new Studio();
    studio.receive(asking());
    studio.select("ses_0001");
    await studio.declinePayment("ses_0001");
    expect(studio.current?.session.state).toBe("verified");
    expect(studio.current?.quote).toBeNull();
    expect(studio.paymentsVersion).toBe(0);
  });
});

describe("Studio.show", () => {
  it("leaves a finished session behind when the operator goes elsewhere", () => {
    const studio = new Studio();
    studio.receive(view({ state: "enrolled" }));
    studio.select("ses_0001");
    studio.show("library");
    expect(studio.screen).toBe("library");
    expect(studio.selectedId).toBeNull();
  });

  it("keeps a session that still needs the operator", () => {
    const studio = new Studio();
    const waiting: SessionView = view();
    studio.receive(waiting);
    studio.select("ses_0001");
    studio.show("settings");
    studio.show("session");
    expect(studio.current).toEqual(waiting);
  });
});

describe("Studio budget", () => {
  const budget = { host: "blockrun.ai", statusChecksLeft: 14, statusChecksPerHour: 20, newLinksLeft: 8, newLinksPerHour: 10, statusFreesAtMs: null, newLinksFreeAtMs: null };

  it("keeps the newest budget any view brought, since every session on the host shares it", () => {
    const studio = new Studio();
    studio.receive(view({ id: "a" }, { budget }));
    expect(studio.budget).toEqual(budget);
    studio.receive(view({ id: "b" }, { budget: { ...budget, statusChecksLeft: 13 } }));
    expect(studio.budget?.statusChecksLeft).toBe(13);
    studio.receive(view({ id: "a", updatedAtMs: T0 + 1 }));
    expect(studio.budget?.statusChecksLeft).toBe(13);
  });

  it("waits for new links as long as a refused fresh QR said, until one is made", async () => {
    let refuse = true;
    backend({
      refresh_session: () => {
        if (refuse) {
          throw { code: "rate_limited", message: "BlockRun is rate-limiting us.", field: null, retryAfterSeconds: 300 };
        }
        return view({ updatedAtMs: T0 + 5 });
      },
    });
    const studio = new Studio();
    studio.receive(view({ state: "expired" }));
    const before = Date.now();
    await studio.act("ses_0001", "refresh");
    expect(studio.actionErrors.ses_0001?.error.retryAfterSeconds).toBe(300);
    expect(studio.linkWaitUntilMs).toBeGreaterThanOrEqual(before + 300_000);
    expect(studio.linkWaitUntilMs).toBeLessThanOrEqual(Date.now() + 300_000);
    refuse = false;
    await studio.act("ses_0001", "refresh");
    expect(studio.linkWaitUntilMs).toBeNull();
  });

  it("notes the wait from a refused start too, and forgets the budget when the provider changes", async () => {
    backend({
      start_session: () => {
        throw { code: "rate_limited", message: "Wait.", field: null, retryAfterSeconds: 60 };
      },
    });
    const studio = new Studio();
    studio.receive(view({}, { budget }));
    expect((await studio.start("Ada", "https://photos.example/a.jpg")).ok).toBe(false);
    expect(studio.linkWaitUntilMs).not.toBeNull();
    const running: StageInfo = { ...stage, provider: "rehearsal", paymentMethod: "wallet" };
    studio.setStage(running);
    studio.setStage(running);
    expect(studio.budget).toEqual(budget);
    studio.setStage({ ...running, provider: "blockrun", baseUrl: "https://blockrun.ai/api" });
    expect(studio.budget).toBeNull();
    expect(studio.linkWaitUntilMs).toBeNull();
  });
});
