// The provider's hourly limits, in plain words, and what they stop the operator doing now.
// BlockRun allows 20 status checks and 10 new QR links an hour per client address, shared by
// every session on that host; the backend counts them and sends what is left with each view.

import type { CallBudget } from "../ipc";
import { waitWords, type TimeOfDay } from "../lib/rate-limit";

export interface BudgetLines {
  /** "Checks left this hour: 14 of 20 · New QR codes left: 8 of 10" */
  summary: string;
  /** The summary's two halves, to keep each on one line when it wraps. */
  parts: readonly string[];
  /** Which host the limits are counted at, for a tooltip. */
  scope: string;
  /** Why "check now" cannot be pressed yet, with when it can; null when it can. */
  checkBlocked: string | null;
  /** Why no new QR can be made yet (with when, if known); null when one can. */
  newLinkBlocked: string | null;
  /** Whether the new-QR buttons wait (a time is known and still ahead). */
  newLinkWaits: boolean;
}

/**
 * @param linkWaitUntilMs when the provider said (in a rate-limit answer to a new link) that it
 *   takes new links again, if it did.
 */
export function describeBudget(
  budget: CallBudget | null,
  nowMs: number,
  timeOfDay: TimeOfDay,
  linkWaitUntilMs: number | null = null,
): BudgetLines | null {
  const told = linkWaitUntilMs ?? budget?.newLinksFreeAtMs ?? null;
  const linkWait = told !== null && told > nowMs ? told : null;
  if (budget === null) {
    return linkWait === null
      ? null
      : {
          summary: "",
          parts: [],
          scope: "",
          checkBlocked: null,
          newLinkBlocked: `No new QR codes left this hour. ${waitWords(linkWait, nowMs, timeOfDay)}`,
          newLinkWaits: true,
        };
  }
  const parts = [
    `Checks left this hour: ${budget.statusChecksLeft} of ${budget.statusChecksPerHour}`,
    `New QR codes left: ${budget.newLinksLeft} of ${budget.newLinksPerHour}`,
  ];
  const summary = parts.join(" · ");
  const frees = budget.statusFreesAtMs;
  const checkBlocked =
    budget.statusChecksLeft === 0 && frees !== null && frees > nowMs
      ? `No checks left this hour. ${waitWords(frees, nowMs, timeOfDay)}`
      : null;
  let newLinkBlocked: string | null = null;
  if (linkWait !== null) {
    newLinkBlocked = `No new QR codes left this hour. ${waitWords(linkWait, nowMs, timeOfDay)}`;
  } else if (budget.newLinksLeft === 0) {
    // No time known (an old view): asking costs nothing, since the backend refuses before calling
    // the provider, and its answer names the time.
    newLinkBlocked = `No new QR codes left this hour (the provider allows ${budget.newLinksPerHour}). Press the button to see when the next one frees up.`;
  }
  return {
    summary,
    parts,
    scope: `Hourly limits at ${budget.host}, shared by every session on it.`,
    checkBlocked,
    newLinkBlocked,
    newLinkWaits: linkWait !== null,
  };
}
