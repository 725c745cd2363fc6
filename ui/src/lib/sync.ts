// What "Sync from provider" did, in words.

import type { SyncReport } from "../ipc";

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2 new faces, 1 updated", "Already up to date (3 faces).", plus any conflicts. */
export function syncSummary(report: SyncReport): string {
  const parts: string[] = [];
  if (report.added > 0) {
    parts.push(count(report.added, "new face", "new faces"));
  }
  if (report.updated > 0) {
    parts.push(`${report.updated} updated`);
  }
  let text: string;
  if (parts.length > 0) {
    text = parts.join(", ");
  } else if (report.unchanged > 0) {
    text = `Already up to date (${count(report.unchanged, "face", "faces")}).`;
  } else if (report.conflicts === 0) {
    text = "The provider lists no faces for this studio yet.";
  } else {
    text = "Nothing new.";
  }
  if (report.conflicts > 0) {
    const which =
      report.conflicts === 1
        ? "1 face the provider lists is filed under another provider here, so it was left as it is."
        : `${report.conflicts} faces the provider lists are filed under another provider here, so they were left as they are.`;
    text += `${text.endsWith(".") ? "" : "."} ${which}`;
  }
  return text;
}
