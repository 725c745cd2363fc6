// The form's own checks, run before anything is sent. They mirror the backend's
// (`validate_name` in src/flow/studio.rs, `validate_url` in src/photo.rs), which checks again.

export const MAX_NAME_CHARS = 64;
/** From this many characters the form shows the count next to the name. */
export const NAME_COUNT_SHOWN_FROM = 50;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Characters as the backend counts them (Unicode scalar values, not UTF-16 units). */
export function charCount(text: string): number {
  return Array.from(text).length;
}

export function validateName(raw: string): Checked<string> {
  const name = raw.trim();
  const count = charCount(name);
  if (count === 0) {
    return { ok: false, message: "Type the talent's name." };
  }
  if (count > MAX_NAME_CHARS) {
    return {
      ok: false,
      message: `The name is too long: ${count} characters, and the limit is ${MAX_NAME_CHARS}. Shorten it.`,
    };
  }
  return { ok: true, value: name };
}

/**
 * A photo file on this computer, as the backend's `PhotoSource::parse` reads one: an absolute
 * path (what the file picker, a drop or a kept paste gives) or a `file://` URL.
 */
export function isPhotoFile(raw: string): boolean {
  const text = raw.trim();
  return /^file:\/\//i.test(text) || text.startsWith("/") || /^[a-z]:[\\/]/i.test(text) || text.startsWith("\\\\");
}

/** The file's own name, for the field's status line. */
export function photoFileName(path: string): string {
  const text = path.trim().replace(/[\\/]+$/, "");
  const name = text.split(/[\\/]/).pop() ?? text;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** A photo file, or a public https link to one. */
export function validatePhotoUrl(raw: string): Checked<string> {
  if (isPhotoFile(raw)) {
    return { ok: true, value: raw.trim() };
  }
  return validateFileLink(raw, "photo", "Choose the talent's face photo, or paste a link to it.");
}

/**
 * A public https link to a file, checked the way the backend checks it (`validate_url` in
 * src/photo.rs). `noun` names the file in the messages ("photo", "video", "voice clip").
 */
export function validateFileLink(raw: string, noun: string, missing: string): Checked<string> {
  const text = raw.trim();
  if (text === "") {
    return { ok: false, message: missing };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === "http") {
    return {
      ok: false,
      message:
        `The ${noun} link must start with https:// — providers refuse plain http. Use the https version of the link.`,
    };
  }
  if (scheme === "file") {
    return { ok: false, message: `The ${noun} must be a public https:// link, not a file on this computer.` };
  }
  if (scheme !== "https") {
    return {
      ok: false,
      message: `That is not a web link. Paste the full ${noun} address, starting with https://.`,
    };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      ok: false,
      message: `That is not a web link. Paste the full ${noun} address, starting with https://.`,
    };
  }
  if (url.hostname === "") {
    return { ok: false, message: `The ${noun} link has no web address in it.` };
  }
  return { ok: true, value: text };
}
