import { describe, expect, it } from "vitest";
import type { CallBudget } from "../ipc";
import { formatTime } from "../lib/format";
import { describeBudget } from "./budget";

const T0 = Date.UTC(2026, 10, 23, 14, 20, 0);
const hhmm = (ms: number): string => formatTime(ms, { locale: "en-GB", timeZone: "UTC", roundUp: true });
const budget = (overrides: Partial<CallBudget> = {}): CallBudget => ({
  host: "blockrun.ai",
  statusChecksLeft: 14,
  statusChecksPerHour: 20,
  newLinksLeft: 8,
  newLinksPerHour: 10,
  statusFreesAtMs: null,
  newLinksFreeAtMs: null,
  ...overrides,
});

describe("describeBudget", () => {
  it("says what is left in plain words", () => {
    expect(describeBudget(budget(), T0, hhmm)).toEqual({
      summary: "Checks left this hour: 14 of 20 · New QR codes left: 8 of 10",
      parts: ["Checks left this hour: 14 of 20", "New QR codes left: 8 of 10"],
      scope: "Hourly limits at blockrun.ai, shared by every session on it.",
      checkBlocked: null,
      newLinkBlocked: null,
      newLinkWaits: false,
    });
  });

  it("says nothing when the backend sent no budget", () => {
    expect(describeBudget(null, T0, hhmm)).toBeNull();
  });

  it("stops check-now until the next check frees up, and says when", () => {
    const lines = describeBudget(budget({ statusChecksLeft: 0, statusFreesAtMs: T0 + 12 * 60_000 }), T0, hhmm);
    expect(lines?.summary).toBe("Checks left this hour: 0 of 20 · New QR codes left: 8 of 10");
    expect(lines?.checkBlocked).toBe("No checks left this hour. Wait until 14:32 (about 12\u00a0min).");
  });

  it("lets check-now go once that time has passed, even before a new view arrives", () => {
    expect(describeBudget(budget({ statusChecksLeft: 0, statusFreesAtMs: T0 - 1 }), T0, hhmm)?.checkBlocked).toBeNull();
    expect(describeBudget(budget({ statusChecksLeft: 0, statusFreesAtMs: null }), T0, hhmm)?.checkBlocked).toBeNull();
  });

  it("explains an empty new-link budget without locking the buttons when no time is known", () => {
    const lines = describeBudget(budget({ newLinksLeft: 0 }), T0, hhmm);
    expect(lines?.newLinkBlocked).toBe(
      "No new QR codes left this hour (the provider allows 10). Press the button to see when the next one frees up.",
    );
    expect(lines?.newLinkWaits).toBe(false);
  });

  it("waits for new links until the time the provider named", () => {
    const lines = describeBudget(budget({ newLinksLeft: 0 }), T0, hhmm, T0 + 5 * 60_000);
    expect(lines?.newLinkBlocked).toBe("No new QR codes left this hour. Wait until 14:25 (about 5\u00a0min).");
    expect(lines?.newLinkWaits).toBe(true);
    expect(describeBudget(null, T0, hhmm, T0 + 30_000)).toMatchObject({
      summary: "",
      newLinkBlocked: "No new QR codes left this hour. Wait until 14:21 (less than a minute).",
      newLinkWaits: true,
    });
  });

  it("waits for new links until the time the backend's budget names", () => {
    const lines = describeBudget(budget({ newLinksLeft: 0, newLinksFreeAtMs: T0 + 7 * 60_000 }), T0, hhmm);
    expect(lines?.newLinkBlocked).toBe("No new QR codes left this hour. Wait until 14:27 (about 7\u00a0min).");
    expect(lines?.newLinkWaits).toBe(true);
  });

  it("forgets a named time once it has passed", () => {
    expect(describeBudget(budget(), T0, hhmm, T0 - 1)?.newLinkWaits).toBe(false);
    expect(describeBudget(null, T0, hhmm, T0)).toBeNull();
  });
});
