// Test money and real money never look alike. Rehearsal is the only provider that spends test
// money, so everything it made (faces, payments, videos) carries a "Test" mark, and lists show
// only the kind that matches the running stage: a producer on a real provider never picks a
// rehearsal face by mistake, and a rehearsal never shows a real person's face.

import type { ProviderKind } from "../ipc";

/** Whether what this provider made was made with test money. */
export function isTest(provider: ProviderKind): boolean {
  return provider === "rehearsal";
}

export interface ModeSplit<T> {
  /** The entries of the running stage's kind (test while rehearsing, real otherwise). */
  shown: T[];
  /** How many of the other kind were left out. */
  hidden: number;
}

/**
 * The entries that belong with the running stage. With no stage known yet nothing is hidden:
 * the window has not been told which kind to show.
 */
export function splitByMode<T extends { provider: ProviderKind }>(items: readonly T[], stage: ProviderKind | null): ModeSplit<T> {
  if (stage === null) {
    return { shown: [...items], hidden: 0 };
  }
  const testing = isTest(stage);
  const shown = items.filter((item) => isTest(item.provider) === testing);
  return { shown, hidden: items.length - shown.length };
}

/**
 * The line saying what is hidden and why, or null when nothing is: "2 real people are hidden
 * while you rehearse." / "1 test person from Rehearsal is hidden."
 */
export function hiddenNote(hidden: number, stage: ProviderKind | null, noun: { one: string; many: string }): string | null {
  if (hidden <= 0 || stage === null) {
    return null;
  }
  const what = hidden === 1 ? noun.one : noun.many;
  const verb = hidden === 1 ? "is" : "are";
  return isTest(stage)
    ? `${hidden} real ${what} ${verb} hidden while you rehearse.`
    : `${hidden} test ${what} from Rehearsal ${verb} hidden. They show when Rehearsal runs.`;
}
