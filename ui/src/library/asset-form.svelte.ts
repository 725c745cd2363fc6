// The library's "Add photo, video or voice clip" form for one person's group: the file's kind,
// its link, "Check file" (the backend downloads and checks it, uploading nothing), then Upload,
// allowed only by `uploadVerdict`. A check answers for exactly the kind and link it was asked
// about; changing either sends the form back to "unchecked".

import { asCommandError, type AssetFileCheck, type AssetType, type CommandError, type Face } from "../ipc";
import { validateFileLink, validatePhotoUrl } from "../session/validate";
import { assetNoun } from "./asset-format";
import { errorPlace, uploadVerdict, type UploadVerdict } from "./asset-draft";

export interface AssetBackend {
  check: (type: AssetType, url: string) => Promise<AssetFileCheck>;
  add: (groupId: string, type: AssetType, url: string, photoOverride: boolean) => Promise<Face>;
}

export type FileCheckState =
  | { kind: "idle" }
  | { kind: "checking"; type: AssetType; url: string }
  | { kind: "checked"; type: AssetType; url: string; check: AssetFileCheck }
  | { kind: "failed"; type: AssetType; url: string; error: CommandError };

export class AssetForm {
  type = $state<AssetType>("image");
  url = $state("");
  /** The link field was left or a button pressed: local problems may show. */
  touched = $state(false);
  fileCheck = $state.raw<FileCheckState>({ kind: "idle" });
  /** "Use this photo anyway": only a photo's failed face checks can be accepted. */
  override = $state(false);
  uploading = $state(false);
  /** A refusal of the upload that is not about the link (the group, the key, the provider). */
  formError = $state.raw<CommandError | null>(null);
  /** An upload refusal about the link itself. */
  #urlRefusal = $state.raw<CommandError | null>(null);

  readonly groupId: string;
  readonly #backend: AssetBackend;
  /** Bumped whenever a check in flight stops being wanted. */
  #generation = 0;

  constructor(groupId: string, backend: AssetBackend) {
    this.groupId = groupId;
    this.#backend = backend;
  }

  noun = $derived(assetNoun(this.type));

  // A photo may be a file on this computer; videos and voice clips go by link.
  #link = $derived(
    this.type === "image"
      ? validatePhotoUrl(this.url)
      : validateFileLink(this.url, assetNoun(this.type), `Paste the link to the ${assetNoun(this.type)}.`),
  );

  /** The message under the link field, if any. */
  urlError: string | null = $derived.by(() => {
    if (this.#urlRefusal !== null) {
      return this.#urlRefusal.message;
    }
    const c = this.fileCheck;
    if (c.kind === "failed" && errorPlace(c.error) === "url") {
      return c.error.message;
    }
    if (!this.#link.ok && this.touched && this.url.trim() !== "") {
      return this.#link.message;
    }
    return null;
  });

  /** A failed check that is not about the link (the provider, the network): shown above the buttons. */
  checkError: CommandError | null = $derived.by(() => {
    const c = this.fileCheck;
    return c.kind === "failed" && errorPlace(c.error) === "form" ? c.error : null;
  });

  /** The checked file, when the answer is for exactly what the form holds. */
  checked: AssetFileCheck | null = $derived.by(() => {
    const c = this.fileCheck;
    return c.kind === "checked" && c.type === this.type && this.#link.ok && c.url === this.#link.value ? c.check : null;
  });

  verdict: UploadVerdict = $derived(uploadVerdict(this.checked, this.override));

  checking = $derived(this.fileCheck.kind === "checking");
  canCheck = $derived(this.#link.ok && !this.checking && !this.uploading);
  canUpload = $derived(this.verdict.kind === "ok" && !this.uploading && !this.checking);

  setType(type: AssetType): void {
    if (type !== this.type) {
      this.type = type;
      this.#forget();
    }
  }

  edit(url: string): void {
    if (url !== this.url) {
      this.url = url;
      this.#forget();
    }
  }

  leave(): void {
    this.touched = true;
  }

  setOverride(on: boolean): void {
    const c = this.checked;
    this.override = on && c !== null && c.kind === "photo";
  }

  /** "Check file": download and check it, upload nothing. */
  async check(): Promise<void> {
    this.touched = true;
    const link = this.#link;
    if (!link.ok || this.uploading) {
      return;
    }
    const type = this.type;
    const url = link.value;
    const mine = ++this.#generation;
    this.#urlRefusal = null;
    this.formError = null;
    this.override = false;
    this.fileCheck = { kind: "checking", type, url };
    try {
      const check = await this.#backend.check(type, url);
      if (mine === this.#generation) {
        this.fileCheck = { kind: "checked", type, url, check };
      }
    } catch (e) {
      if (mine === this.#generation) {
        this.fileCheck = { kind: "failed", type, url, error: asCommandError(e) };
      }
    }
  }

  /** Upload: only what the verdict allows. The filed asset comes back (processing), or null. */
  async upload(): Promise<Face | null> {
    const verdict = this.verdict;
    const link = this.#link;
    if (verdict.kind !== "ok" || !link.ok || this.uploading) {
      return null;
    }
    this.uploading = true;
    this.formError = null;
    this.#urlRefusal = null;
    try {
      return await this.#backend.add(this.groupId, this.type, link.value, verdict.overridden);
    } catch (e) {
      const error = asCommandError(e);
      if (errorPlace(error) === "url") {
        this.#urlRefusal = error;
      } else {
        this.formError = error;
      }
      return null;
    } finally {
      this.uploading = false;
    }
  }

  /** A fresh form for the next file of the same kind. */
  reset(): void {
    this.url = "";
    this.touched = false;
    this.#forget();
  }

  #forget(): void {
    this.#generation += 1;
    this.fileCheck = { kind: "idle" };
    this.override = false;
    this.#urlRefusal = null;
    this.formError = null;
  }
}
