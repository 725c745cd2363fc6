// How tall a person's card is, from what it holds, so the virtualized library can place 10,000
// cards without rendering them: a lone face is one fixed-height card; a group's card grows by one
// fixed-height row per file (and a line for a failed file's reason). The figures are PersonCard's
// CSS; the list measures every card it renders and trusts the measurement over this estimate, so
// a drift here costs a little scroll-bar accuracy, never a broken layout.

import type { Person } from "./people";

/** The gap the list leaves below every card (`.vrow`'s padding, --space-3). */
export const ROW_GAP = 12;
/** A card's padding and border, top and bottom. */
export const CARD_FRAME = 2 * 12 + 2;
/** The head: the 64 px picture beside the name, kind, provider and date. */
export const HEAD = 64;
/** Between the head and the file list (the card's flex gap), plus the list's top border. */
export const LIST_TOP = 12 + 1;
/** One file's row, its bottom border included. */
export const FILE_ROW = 53;
/** A failed file's reason, on one line under its row. */
export const FAILED_LINE = 22;
/** "To add files to this group, choose Anyfast in Settings." under the files. */
export const BLOCKED_NOTE = 12 + 22;

/** The add-asset form, open under a person's files (its height varies; this is the closed checklist). */
export const OPEN_FORM = 420;

export interface HeightContext {
  /** Whether the card says files cannot be added here now (another provider runs). */
  blocked: boolean;
  /** Whether the add-asset form is open on this card. */
  formOpen?: boolean;
}

/** Whether a person is shown as a lone card (one `ta_…` face) rather than a card with file rows. */
export function isLone(person: Pick<Person, "assets" | "holdsAssets">): boolean {
  return person.assets.length === 1 && !person.holdsAssets;
}

export function estimatePersonHeight(person: Person, context: HeightContext): number {
  if (isLone(person)) {
    return CARD_FRAME + HEAD + ROW_GAP;
  }
  let height = CARD_FRAME + HEAD + LIST_TOP + ROW_GAP;
  for (const f of person.assets) {
    height += FILE_ROW + (f.status === "failed" ? FAILED_LINE : 0);
  }
  // The last row has no bottom border.
  height -= 1;
  if (context.formOpen === true) {
    height += OPEN_FORM;
  } else if (person.holdsAssets && context.blocked) {
    height += BLOCKED_NOTE;
  }
  return height;
}
