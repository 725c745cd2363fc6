// The sessions the window knows about, keyed by id: a pure reducer over every `SessionView` the
// backend sends (the watch channel and command answers alike), in whatever order they arrive.

import type { PaymentQuote, SessionState, SessionView } from "../ipc";

export interface Board {
  readonly views: Readonly<Record<string, SessionView>>;
}

export const emptyBoard: Board = { views: {} };

const TERMINAL: ReadonlySet<SessionState> = new Set<SessionState>(["enrolled", "cancelled"]);

/** Enrolled and cancelled sessions never change again. */
export function isTerminal(state: SessionState): boolean {
  return TERMINAL.has(state);
}

/** A session that still needs the operator (the backend's `open_sessions`). */
export function isOpen(state: SessionState): boolean {
  return !isTerminal(state);
}

/**
 * Folds one view into the board. A view older than the one held (by `session.updatedAtMs`) is
 * stale and ignored. Views with the same stamp are the same session data re-sent (the poll loop
 * announces its next check that way), so the later arrival wins, except that:
 * - a finished session (enrolled, cancelled) is never reopened by a same-stamp view;
 * - a view that does not know the poll schedule (`nextCheckAtMs: null`, as command answers are)
 *   keeps the schedule already known for the same live link;
 * - a same-stamp `awaiting_payment` view without a quote keeps the quote already held.
 * A price is only ever held while the session waits for payment: any other state drops the
 * quote (and the payee warning), so a stale price can never be shown or confirmed.
 */
export function applyView(board: Board, view: SessionView): Board {
  const id = view.session.id;
  const held = board.views[id];
  if (view.session.state !== "awaiting_payment" && (view.quote !== null || view.payeeChanged)) {
    view = { ...view, quote: null, payeeChanged: false };
  }
  if (held !== undefined) {
    const heldAt = held.session.updatedAtMs;
    const newAt = view.session.updatedAtMs;
    if (newAt < heldAt) {
      return board;
    }
    if (newAt === heldAt && isTerminal(held.session.state) && view.session.state !== held.session.state) {
      return board;
    }
    if (
      view.nextCheckAtMs === null &&
      held.nextCheckAtMs !== null &&
      view.session.state === "awaiting_scan" &&
      held.session.state === "awaiting_scan" &&
      view.session.h5Link === held.session.h5Link
    ) {
      view = { ...view, nextCheckAtMs: held.nextCheckAtMs };
    }
    if (
      newAt === heldAt &&
      view.session.state === "awaiting_payment" &&
      held.session.state === "awaiting_payment" &&
      view.quote === null &&
      held.quote !== null
    ) {
      view = { ...view, quote: held.quote, payeeChanged: held.payeeChanged };
    }
  }
  return { views: { ...board.views, [id]: view } };
}

export function applyViews(board: Board, views: readonly SessionView[]): Board {
  return views.reduce(applyView, board);
}

function newestFirst(a: SessionView, b: SessionView): number {
  return b.session.createdAtMs - a.session.createdAtMs || a.session.id.localeCompare(b.session.id);
}

/** Sessions still needing the operator, newest first. */
export function openViews(board: Board): SessionView[] {
  return Object.values(board.views)
    .filter((v) => isOpen(v.session.state))
    .sort(newestFirst);
}

export function newestOpenId(board: Board): string | null {
  return openViews(board)[0]?.session.id ?? null;
}

/** The price the operator is asked to confirm: only while the session waits for payment. */
export function pendingQuote(view: SessionView): PaymentQuote | null {
  return view.session.state === "awaiting_payment" ? view.quote : null;
}
