// Single-key shortcuts for the operator with the talent in front of them: R for a fresh QR,
// C for "Talent finished — check now", F to show the talent their own window, ? for the list. A shortcut presses the button the screen
// shows, so it obeys the same rules (a disabled button, a wait for the call budget) and never
// does what the screen would not. Keys typed into a field stay typing.

import { isTyping, type Focused } from "./focus";

export interface Shortcut {
  /** The key as shown, and as `KeyboardEvent.key` gives it (either case for letters). */
  key: string;
  /** What it does, in the producer's words. */
  does: string;
  /** The id of the button it presses; null for the list itself. */
  presses: string | null;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: "R", does: "Generate a fresh QR", presses: "fresh-qr" },
  { key: "C", does: "Talent finished — check now", presses: "check-now" },
  { key: "F", does: "Show to talent (their own window)", presses: "show-talent" },
  { key: "?", does: "Show these shortcuts", presses: null },
];

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/**
 * The shortcut a key press means, or null: never while typing in a field or with Ctrl, Cmd or
 * Alt held (those belong to the system and the webview: copy, paste, reload).
 */
export function shortcutFor(press: KeyPress, focused: Focused | null): Shortcut | null {
  if (press.ctrlKey || press.metaKey || press.altKey || isTyping(focused)) {
    return null;
  }
  const key = press.key.length === 1 ? press.key.toUpperCase() : press.key;
  return SHORTCUTS.find((s) => s.key === key) ?? null;
}
