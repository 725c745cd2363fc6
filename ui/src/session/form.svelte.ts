// The "new session" form. It lives outside the component so nothing typed is lost when the
// operator switches screens or an error comes back.

import { asCommandError, commands, type CommandError } from "../ipc";
import { studio } from "../state/studio.svelte";
import { PhotoField } from "./photo-field.svelte";
import { charCount, isPhotoFile, MAX_NAME_CHARS, NAME_COUNT_SHOWN_FROM, validateName } from "./validate";

class SessionForm {
  name = $state("");
  nameTouched = $state(false);
  nameFocused = $state(false);
  /** The face photo link, checked as it is typed. */
  readonly photo = new PhotoField((url) => commands.checkPhoto(url));
  /** The backend's word on the name from the last Start, until the name is edited. */
  serverNameError = $state<string | null>(null);
  starting = $state(false);
  /** The session this form last started, so the form can clear once that face is enrolled. */
  startedId = $state<string | null>(null);

  nameCheck = $derived(validateName(this.name));
  nameCount = $derived(charCount(this.name.trim()));
  showCount = $derived(this.nameCount >= NAME_COUNT_SHOWN_FROM);
  overLimit = $derived(this.nameCount > MAX_NAME_CHARS);

  /** The message under the name, if any (shown once the field was left, or at once when too long). */
  nameError: string | null = $derived.by(() => {
    if (this.serverNameError !== null) {
      return this.serverNameError;
    }
    if (this.nameCheck.ok) {
      return null;
    }
    return this.overLimit || (this.nameTouched && !this.nameFocused) ? this.nameCheck.message : null;
  });

  /**
   * A photo file for a provider that fetches links, with no bucket in Settings → Photo hosting:
   * the backend's words, shown at Start before anything is opened or paid.
   */
  hostingMissing = $state<string | null>(null);

  /** A failed face check holds Start until the operator ticks "Use this photo anyway". */
  ready = $derived(this.nameCheck.ok && this.photo.ready && !this.photo.blocked);
  canStart = $derived(this.ready && !this.starting && this.hostingMissing === null);

  /** Asks the backend whether the photo in the field can reach the selected provider. */
  async checkHosting(): Promise<void> {
    if (!isPhotoFile(this.photo.url)) {
      this.hostingMissing = null;
      return;
    }
    try {
      await commands.photoFilesReady();
      this.hostingMissing = null;
    } catch (e) {
      const error = asCommandError(e);
      this.hostingMissing = error.code === "hosting_missing" ? error.message : null;
    }
  }

  editName(value: string): void {
    this.name = value;
    this.serverNameError = null;
  }

  /** The field was left; `value` is what the field holds (scripts may change it without input events). */
  leaveName(value: string): void {
    this.nameFocused = false;
    this.nameTouched = true;
    if (value !== this.name) {
      this.editName(value);
    }
  }

  async start(): Promise<void> {
    this.nameTouched = true;
    this.photo.touch();
    const name = this.nameCheck;
    const url = this.photo.value;
    if (!name.ok || url === null || this.starting) {
      return;
    }
    this.starting = true;
    const started = await studio.start(name.value, url, this.photo.overriddenChecks.length > 0);
    this.starting = false;
    if (started.ok) {
      this.startedId = started.view.session.id;
    } else {
      this.placeError(started.error, url);
    }
  }

  /** Once the face this form started is enrolled, the form is for the next talent. */
  resetIfEnrolled(): void {
    const id = this.startedId;
    if (id !== null && (studio.enrolled[id] !== undefined || studio.board.views[id]?.session.state === "enrolled")) {
      this.reset();
    }
  }

  /** A fresh form for the next talent. */
  reset(): void {
    this.startedId = null;
    this.name = "";
    this.nameTouched = false;
    this.serverNameError = null;
    this.photo.reset();
  }

  /** Puts a refusal next to the field it is about; anything else goes to the banner. */
  placeError(error: CommandError, url: string): void {
    if (error.code === "hosting_missing") {
      this.hostingMissing = error.message;
    } else if (error.field === "name") {
      this.serverNameError = error.message;
    } else if (error.field === "image_url") {
      this.photo.reject(url, error);
    } else {
      studio.banner = error;
    }
  }
}

export const sessionForm = new SessionForm();
