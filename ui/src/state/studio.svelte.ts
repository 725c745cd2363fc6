// The window's shared state: which screen shows, the sessions (folded by the pure reducer in
// session/board.ts), the banner error, and the session actions. Screens read it; only the
// functions here talk to the backend about sessions.

import { asCommandError, commands, watchAssets, watchLibrary, watchSessions } from "../ipc";
import type { CallBudget, CommandError, DeskSession, Face, LibraryStatus, ProviderKind, SessionView, StageInfo } from "../ipc";
import { withAsset } from "../library/asset-status";
import { arrivalOf, retryAtMs } from "../lib/rate-limit";
import { applyView, applyViews, emptyBoard, isTerminal, newestOpenId, openViews, type Board } from "../session/board";

export type Screen = "session" | "library" | "generate" | "payments" | "settings";
/**
 * `enroll_new_photo`: enroll with another photo than the session's (after a mismatch).
 * `pay`: the operator confirmed the quoted price (sign, pay, enroll); `decline`: they did not.
 */
export type SessionAction = "check" | "refresh" | "cancel" | "enroll" | "enroll_new_photo" | "pay" | "decline";

/** Actions that end in an enroll call (a paid one included). */
export function isEnrollAction(action: SessionAction): action is "enroll" | "enroll_new_photo" | "pay" {
  return action === "enroll" || action === "enroll_new_photo" || action === "pay";
}

/**
 * How an enroll with another photo came out: sent (enrolled, or now waiting for the operator to
 * confirm a price), refused, or not sent (another action ran).
 */
export type EnrollResult = { ok: true } | { ok: false; error: CommandError | null };

/** A person's group, for which the Library should open its add-asset form. */
export interface GroupRef {
  provider: ProviderKind;
  groupId: string;
}

export interface ActionError {
  action: SessionAction;
  error: CommandError;
}

export class Studio {
  screen = $state<Screen>("session");
  /** The global banner (`#app-error`): failures not tied to a form field or a session button. */
  banner = $state.raw<CommandError | null>(null);
  board = $state.raw<Board>(emptyBoard);
  selectedId = $state<string | null>(null);
  stage = $state.raw<StageInfo | null>(null);
  /** Bumped whenever a face is enrolled, so the library reloads. */
  libraryVersion = $state(0);
  /** Bumped whenever a payment was attempted, so the payments list reloads. */
  paymentsVersion = $state(0);
  /** The action running per session id. */
  busy = $state.raw<Readonly<Record<string, SessionAction>>>({});
  /** The last failed action per session id, shown next to its buttons. */
  actionErrors = $state.raw<Readonly<Record<string, ActionError>>>({});
  /** Faces enrolled in this run of the app, by session id (for the thumbnail and asset id). */
  enrolled = $state.raw<Readonly<Record<string, Face>>>({});
  /**
   * The provider's hourly budget as the backend last sent it (with any view): it is shared by
   * every session on the provider's host, so the newest word counts for all of them.
   */
  budget = $state.raw<CallBudget | null>(null);
  /** When the provider takes new QR links again, after it refused one as rate-limited. */
  linkWaitUntilMs = $state<number | null>(null);
  /**
   * The latest word on every asset the window has heard of since it opened, by asset id: the
   * `watchAssets` stream, enroll and upload answers, "Check again". The session panel and the
   * library lay it over what they were given.
   */
  assets = $state.raw<Readonly<Record<string, Face>>>({});
  /** Set by "Add another photo" on a session: the Library opens that group's add-asset form. */
  addAssetFor = $state.raw<GroupRef | null>(null);

  current: SessionView | null = $derived(
    this.selectedId === null ? null : (this.board.views[this.selectedId] ?? null),
  );
  open: SessionView[] = $derived(openViews(this.board));

  #initialised = false;
  /** The open sessions other desks own on the shared database (none on a desk's own file). */
  otherDesks = $state.raw<DeskSession[]>([]);
  /** The library in use, and why not the studio database when it failed to open. */
  libraryStatus = $state.raw<LibraryStatus | null>(null);
  #facesVersion: number | null = null;

  /** Once per window: subscribe to session changes, then show what was left open. */
  async init(): Promise<void> {
    if (this.#initialised) {
      return;
    }
    this.#initialised = true;
    const stage = commands.getStage().then(
      (s) => {
        this.stage = s;
      },
      (e: unknown) => {
        this.showError(e);
      },
    );
    try {
      await watchSessions((view) => {
        this.receive(view);
      });
      await watchAssets((face) => {
        this.receiveAsset(face);
      });
      await watchLibrary((change) => {
        // Another desk filed or changed a face: the library lists again.
        if (this.#facesVersion !== null && change.facesVersion !== this.#facesVersion) {
          this.libraryVersion += 1;
        }
        this.#facesVersion = change.facesVersion;
        this.otherDesks = change.otherDesks;
      });
      this.libraryStatus = await commands.getLibraryStatus();
    } catch (e) {
      this.showError(e);
    }
    try {
      const views = await commands.listOpenSessions();
      this.board = applyViews(this.board, views);
      for (const v of views) {
        this.budget = v.budget ?? this.budget;
      }
      this.selectedId ??= newestOpenId(this.board);
    } catch (e) {
      this.showError(e);
    }
    await stage;
  }

  /** Folds one view from the backend into the board. */
  receive(view: SessionView): void {
    if (view.budget !== null) {
      this.budget = view.budget;
    }
    if (view.asset !== null) {
      this.receiveAsset(view.asset);
    }
    const before = this.board.views[view.session.id]?.session.state;
    this.board = applyView(this.board, view);
    const after = this.board.views[view.session.id]?.session.state;
    if (after === "enrolled" && before !== "enrolled") {
      this.libraryVersion += 1;
    }
  }

  /** New word on an asset (a BytePlus upload moving from processing to active or failed). */
  receiveAsset(face: Face): void {
    this.assets = withAsset(this.assets, face);
  }

  /** "Add another photo" after a failed upload: the Library opens this group's form. */
  /** The face "Make a video" was pressed for, until Generate has chosen it. */
  videoFaceFor = $state<string | null>(null);

  /** Opens Generate with this face chosen. */
  makeVideoWith(assetId: string): void {
    this.videoFaceFor = assetId;
    this.show("generate");
  }

  openAddAsset(group: GroupRef): void {
    this.addAssetFor = group;
    this.show("library");
  }

  show(screen: Screen): void {
    if (screen !== "session" && this.current !== null && isTerminal(this.current.session.state)) {
      // A finished session is not what the operator comes back to: the form is.
      this.selectedId = null;
    }
    this.screen = screen;
  }

  select(id: string | null): void {
    this.selectedId = id;
  }

  /** The provider restarted (settings saved): another host's budget no longer applies. */
  setStage(stage: StageInfo): void {
    if (this.stage !== null && (this.stage.provider !== stage.provider || this.stage.baseUrl !== stage.baseUrl)) {
      this.budget = null;
      this.linkWaitUntilMs = null;
    }
    this.stage = stage;
  }

  /** A refused new link that says how long to wait: the new-QR buttons wait that long. */
  #noteLinkWait(error: CommandError): void {
    const until = retryAtMs(error, arrivalOf(error));
    if (until !== null) {
      this.linkWaitUntilMs = until;
    }
  }

  showError(e: unknown): void {
    this.banner = asCommandError(e);
  }

  dismissError(): void {
    this.banner = null;
  }

  /** Starts a session and shows it; a refusal comes back for the form to place by its field. */
  async start(
    name: string,
    imageUrl: string,
    photoOverride = false,
  ): Promise<{ ok: true; view: SessionView } | { ok: false; error: CommandError }> {
    try {
      const view = await commands.startSession(name, imageUrl, photoOverride);
      this.linkWaitUntilMs = null;
      this.receive(view);
      this.selectedId = view.session.id;
      this.banner = null;
      return { ok: true, view };
    } catch (e) {
      const error = asCommandError(e);
      this.#noteLinkWait(error);
      return { ok: false, error };
    }
  }

  /** Check, fresh QR, cancel, or enroll with the session's own photo. */
  async act(id: string, action: Exclude<SessionAction, "enroll_new_photo">): Promise<void> {
    switch (action) {
      case "check":
        await this.#run(id, action, async () => {
          this.receive(await commands.checkSession(id));
        });
        break;
      case "refresh":
        await this.#run(id, action, async () => {
          this.receive(await commands.refreshSession(id));
          this.linkWaitUntilMs = null;
        });
        break;
      case "cancel":
        await this.#run(id, action, async () => {
          this.receive(await commands.cancelSession(id));
          if (this.selectedId === id) {
            this.selectedId = null;
          }
        });
        break;
      case "enroll":
        await this.#enroll(id, null);
        break;
    }
  }

  /** Enrolls with another photo link than the session's (after the provider refused its photo). */
  async enrollWithPhoto(id: string, imageUrl: string, photoOverride = false): Promise<EnrollResult> {
    if (this.busy[id] !== undefined) {
      return { ok: false, error: null };
    }
    const enrolled = await this.#enroll(id, imageUrl, photoOverride);
    return enrolled ? { ok: true } : { ok: false, error: this.actionErrors[id]?.error ?? null };
  }

  /** `photoOverride` null keeps the word given at start for the session's own photo. */
  #enroll(id: string, imageUrl: string | null, photoOverride: boolean | null = null): Promise<boolean> {
    return this.#run(id, imageUrl === null ? "enroll" : "enroll_new_photo", async () => {
      const outcome = await commands.enrollSession(id, imageUrl, photoOverride);
      if (outcome.outcome === "enrolled") {
        this.#recordFace(id, outcome.face);
      } else {
        // The provider named its price: the panel asks the operator to confirm it.
        this.receive(outcome.view);
      }
    });
  }

  /**
   * The operator confirmed the quoted price: the backend signs, pays and enrolls. A changed payee
   * needs its own tick (`payeeChangeConfirmed`). Whatever happens, the payments list reloads.
   */
  confirmPayment(id: string, payeeChangeConfirmed: boolean): Promise<boolean> {
    return this.#run(id, "pay", async () => {
      try {
        this.#recordFace(id, await commands.confirmPayment(id, payeeChangeConfirmed));
      } finally {
        this.paymentsVersion += 1;
      }
    });
  }

  /** The operator declined the price: nothing is signed, the session is back to verified. */
  declinePayment(id: string): Promise<boolean> {
    return this.#run(id, "decline", async () => {
      this.receive(await commands.declinePayment(id));
    });
  }

  #recordFace(id: string, face: Face): void {
    this.enrolled = { ...this.enrolled, [id]: face };
    this.receiveAsset(face);
    this.libraryVersion += 1;
  }

  /** One action per session at a time; a failure is kept next to the session's buttons. */
  async #run(id: string, action: SessionAction, task: () => Promise<void>): Promise<boolean> {
    if (this.busy[id] !== undefined) {
      return false;
    }
    this.busy = { ...this.busy, [id]: action };
    this.actionErrors = without(this.actionErrors, id);
    try {
      await task();
      return true;
    } catch (e) {
      const error = asCommandError(e);
      if (action === "refresh") {
        this.#noteLinkWait(error);
      }
      this.actionErrors = { ...this.actionErrors, [id]: { action, error } };
      return false;
    } finally {
      this.busy = without(this.busy, id);
    }
  }
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!(key in record)) {
    return record;
  }
  const copy = { ...record };
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
  delete copy[key];
  return copy;
}

export const studio = new Studio();
