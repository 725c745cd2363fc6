// Where focus goes when a step brings up its next main control (Start → "check now", Enroll →
// the price's Pay, an inline "are you sure?" → its safe answer). Without this, focus stays on a
// button that has just gone and falls back to the page, and a keyboard or screen-reader user
// must find their place again.

/** What the decision needs to know about the element that has focus now. */
export interface Focused {
  tagName: string;
  isContentEditable?: boolean;
  type?: string;
  isConnected?: boolean;
}

const TEXT_INPUTS = new Set(["text", "search", "url", "email", "password", "number", "tel", ""]);

/** Whether the focused element takes typing (a text field, a list box, editable text). */
export function isTyping(active: Focused | null): boolean {
  if (active === null || active.isConnected === false) {
    return false;
  }
  const tag = active.tagName.toUpperCase();
  if (active.isContentEditable === true || tag === "TEXTAREA" || tag === "SELECT") {
    return true;
  }
  return tag === "INPUT" && TEXT_INPUTS.has((active.type ?? "").toLowerCase());
}

/**
 * Whether a control that just appeared may take focus from what has it. Never from someone
 * typing: a session turning verified in the background must not pull the cursor out of the next
 * talent's name. Anything else (the page, a button that vanished or was pressed) gives it up.
 */
export function mayTakeFocus(active: Focused | null): boolean {
  return !isTyping(active);
}

/** An attachment (`{@attach takeFocus}`): the element takes focus when it appears, if it may. */
export function takeFocus(node: HTMLElement): void {
  if (mayTakeFocus(document.activeElement)) {
    node.focus();
  }
}

// Elements that have had their one turn: a control re-enabled later (after a refused payment)
// does not pull focus back.
const given = new WeakSet<HTMLElement>();

/**
 * An attachment for a control that appears disabled (the step that brought it is still
 * finishing): it takes focus once, the first time `ready()` holds. `ready` is read inside the
 * attachment, so Svelte runs it again when what it reads changes.
 */
export function takeFocusWhen(ready: () => boolean): (node: HTMLElement) => void {
  return (node) => {
    if (ready() && !given.has(node)) {
      given.add(node);
      takeFocus(node);
    }
  };
}
