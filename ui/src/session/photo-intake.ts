// What a drop or a paste onto a photo field carries, as the field takes it: an image the backend
// keeps as a file (from the clipboard, or dragged out of a browser), a link, a file's path, or
// nothing it can use. Pure, so the choice is tested without a browser.

import { isPhotoFile } from "./validate";

export type Intake = { kind: "image"; blob: Blob } | { kind: "text"; value: string } | { kind: "none" };

/**
 * `files` are the dropped or pasted files, `uriList` and `text` the `text/uri-list` and
 * `text/plain` data. An image file wins; then a link or a path; anything else is refused.
 */
export function pickIntake(files: readonly Blob[], uriList: string, text: string): Intake {
  const image = files.find((f) => f.type.startsWith("image/"));
  if (image !== undefined) {
    return { kind: "image", blob: image };
  }
  const uri = uriList
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== "" && !l.startsWith("#"));
  const value = (uri ?? text).trim();
  if (/^https:\/\//i.test(value) || isPhotoFile(value)) {
    return { kind: "text", value };
  }
  return { kind: "none" };
}

/** Whether a drag over the field carries something a drop could use (before its data is readable). */
export function dragCarriesPhoto(types: readonly string[]): boolean {
  return types.includes("Files") || types.includes("text/uri-list") || types.includes("text/plain");
}

/** What a field does with an intake: the path or link to put in it, or the words why not. */
export type Taken = { ok: true; value: string } | { ok: false; message: string };

/**
 * Resolves an intake to what goes in the field: a path or link as it is, an image's bytes kept as
 * a file by the backend (`keep` is `commands.keepPhoto` after reading the blob as a data URL).
 */
export async function takeIntake(intake: Intake, keep: (blob: Blob) => Promise<string>): Promise<Taken> {
  if (intake.kind === "text") {
    return { ok: true, value: intake.value };
  }
  if (intake.kind === "none") {
    return { ok: false, message: "That is not a photo. Drop or paste a JPEG, PNG or WebP image, or choose the file." };
  }
  return { ok: true, value: await keep(intake.blob) };
}
