import { describe, expect, it } from "vitest";
import { T0, quote, view } from "../testing/views";
import { applyView, applyViews, emptyBoard, isOpen, newestOpenId, openViews, pendingQuote } from "./board";

describe("applyView", () => {
  it("adds a new session under its id without touching the old board", () => {
    const v = view();
    const board = applyView(emptyBoard, v);
    expect(board.views.ses_0001).toEqual(v);
    expect(emptyBoard.views).toEqual({});
  });

  it("keeps sessions apart by id", () => {
    const board = applyViews(emptyBoard, [view({ id: "a" }), view({ id: "b", talentName: "Grace" })]);
    expect(Object.keys(board.views).sort()).toEqual(["a", "b"]);
    expect(board.views.b?.session.talentName).toBe("Grace");
  });

  it("follows state transitions as they arrive", () => {
    let board = applyView(emptyBoard, view());
    board = applyView(board, view({ state: "verified", updatedAtMs: T0 + 30_000 }));
    expect(board.views.ses_0001?.session.state).toBe("verified");
    board = applyView(board, view({ state: "enrolling", updatedAtMs: T0 + 31_000 }));
    board = applyView(board, view({ state: "enrolled", assetId: "ta_1", updatedAtMs: T0 + 33_000 }));
    expect(board.views.ses_0001?.session.state).toBe("enrolled");
    expect(board.views.ses_0001?.session.assetId).toBe("ta_1");
  });

  it("ignores an update older than the one it holds (out of order)", () => {
    const verified = view({ state: "verified", updatedAtMs: T0 + 30_000 });
    const late = view({ state: "awaiting_scan", updatedAtMs: T0 + 10_000 });
    const board = applyViews(emptyBoard, [verified, late]);
    expect(board.views.ses_0001).toBe(verified);
  });

  it("returns the same board object for a stale update, so nothing re-renders", () => {
    const board = applyView(emptyBoard, view({ updatedAtMs: T0 + 5 }));
    expect(applyView(board, view({ updatedAtMs: T0 }))).toBe(board);
  });

  it("lets an expired link be replaced by a fresh one", () => {
    const board = applyViews(emptyBoard, [
      view({ state: "expired", updatedAtMs: T0 + 121_000 }, { qrSvg: null }),
      view({
        state: "awaiting_scan",
        h5Link: "http://x/h5/?sessionToken=t2",
        linkIssuedAtMs: T0 + 125_000,
        updatedAtMs: T0 + 125_000,
        expiresAtMs: T0 + 245_000,
      }),
    ]);
    expect(board.views.ses_0001?.session.state).toBe("awaiting_scan");
    expect(board.views.ses_0001?.session.expiresAtMs).toBe(T0 + 245_000);
    expect(board.views.ses_0001?.session.linkIssuedAtMs).toBe(T0 + 125_000);
  });

  it("takes a same-stamp view (the poll loop re-announcing its schedule and notice)", () => {
    const notice = { code: "network" as const, message: "Could not reach Rehearsal.", field: null };
    const board = applyViews(emptyBoard, [view(), view({}, { nextCheckAtMs: T0 + 15_000, notice })]);
    expect(board.views.ses_0001?.nextCheckAtMs).toBe(T0 + 15_000);
    expect(board.views.ses_0001?.notice).toEqual(notice);
  });

  it("keeps the known poll schedule when a command answer does not carry one", () => {
    const board = applyViews(emptyBoard, [view({}, { nextCheckAtMs: T0 + 15_000 }), view({}, { nextCheckAtMs: null })]);
    expect(board.views.ses_0001?.nextCheckAtMs).toBe(T0 + 15_000);
  });

  it("drops the old schedule once the link changes", () => {
    const board = applyViews(emptyBoard, [
      view({}, { nextCheckAtMs: T0 + 15_000 }),
      view({ h5Link: "http://x/h5/?sessionToken=t2", updatedAtMs: T0 + 1 }, { nextCheckAtMs: null }),
    ]);
    expect(board.views.ses_0001?.nextCheckAtMs).toBeNull();
  });

  it("never reopens a finished session with a same-stamp view", () => {
    const board = applyViews(emptyBoard, [
      view({ state: "cancelled", updatedAtMs: T0 + 50 }),
      view({ state: "awaiting_scan", updatedAtMs: T0 + 50 }, { nextCheckAtMs: T0 + 60 }),
    ]);
    expect(board.views.ses_0001?.session.state).toBe("cancelled");
  });
});

describe("open sessions", () => {
  it("lists only sessions that need the operator, newest first", () => {
    const board = applyViews(emptyBoard, [
      view({ id: "old", createdAtMs: T0 - 60_000, updatedAtMs: T0 - 60_000 }),
      view({ id: "done", state: "enrolled", createdAtMs: T0 + 10_000 }),
      view({ id: "new", state: "expired", createdAtMs: T0 + 5_000 }),
      view({ id: "gone", state: "cancelled", createdAtMs: T0 + 20_000 }),
    ]);
    expect(openViews(board).map((v) => v.session.id)).toEqual(["new", "old"]);
    expect(newestOpenId(board)).toBe("new");
  });

  it("has no newest session on an empty board", () => {
    expect(newestOpenId(emptyBoard)).toBeNull();
  });

  it("knows which states are open", () => {
    expect(["awaiting_scan", "expired", "verified", "enrolling"].every((s) => isOpen(s as never))).toBe(true);
    expect(isOpen("enrolled")).toBe(false);
    expect(isOpen("cancelled")).toBe(false);
  });
});

describe("payments on the board", () => {
  it("holds the quote while the session waits for payment", () => {
    const q = quote();
    let board = applyView(emptyBoard, view({ state: "verified", updatedAtMs: T0 + 1 }));
    board = applyView(board, view({ state: "awaiting_payment", updatedAtMs: T0 + 2 }, { quote: q, payeeChanged: true }));
    const held = board.views.ses_0001;
    expect(held?.session.state).toBe("awaiting_payment");
    expect(held && pendingQuote(held)).toEqual(q);
    expect(held?.payeeChanged).toBe(true);
    expect(isOpen("awaiting_payment")).toBe(true);
  });

  it("drops the quote once the session leaves awaiting_payment", () => {
    let board = applyView(emptyBoard, view({ state: "awaiting_payment", updatedAtMs: T0 + 2 }, { quote: quote(), payeeChanged: true }));
    // Declined: back to verified. Even if the view still carried a price, it is not kept.
    board = applyView(board, view({ state: "verified", updatedAtMs: T0 + 3 }, { quote: quote(), payeeChanged: true }));
    expect(board.views.ses_0001?.quote).toBeNull();
    expect(board.views.ses_0001?.payeeChanged).toBe(false);
    board = applyView(board, view({ state: "enrolling", updatedAtMs: T0 + 4 }));
    expect(board.views.ses_0001?.quote).toBeNull();
  });

  it("keeps the quote when a same-stamp view of the same wait arrives without it", () => {
    const q = quote({ amountUsdc: "0.5", amountAtomic: "500000" });
    let board = applyView(emptyBoard, view({ state: "awaiting_payment", updatedAtMs: T0 + 2 }, { quote: q, payeeChanged: true }));
    board = applyView(board, view({ state: "awaiting_payment", updatedAtMs: T0 + 2 }));
    expect(board.views.ses_0001?.quote).toEqual(q);
    expect(board.views.ses_0001?.payeeChanged).toBe(true);
    // A newer view is the backend's word: no quote means none.
    board = applyView(board, view({ state: "awaiting_payment", updatedAtMs: T0 + 3 }));
    expect(board.views.ses_0001?.quote).toBeNull();
  });

  it("never shows a quote for a session in another state", () => {
    expect(pendingQuote(view({ state: "verified" }, { quote: quote() }))).toBeNull();
  });

  it("ignores an older awaiting_payment view after the payment went through", () => {
    let board = applyView(emptyBoard, view({ state: "enrolled", assetId: "ta_1", updatedAtMs: T0 + 9 }));
    board = applyView(board, view({ state: "awaiting_payment", updatedAtMs: T0 + 2 }, { quote: quote() }));
    expect(board.views.ses_0001?.session.state).toBe("enrolled");
    expect(board.views.ses_0001?.quote).toBeNull();
  });
});
