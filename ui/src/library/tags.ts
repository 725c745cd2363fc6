// Tags as the drawer's one text field holds them: "Northwind spring, stunt". The core keeps
// them (trimmed, de-duplicated in any case, at most 12 of 40 characters) and says what is wrong.

/** The field's text as the list of tags sent to `set_face_tags`: split at commas, blanks dropped. */
export function parseTags(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

/** The tags as the field shows them. */
export function tagsText(tags: readonly string[]): string {
  return tags.join(", ");
}
