// The window's video jobs: listed once, then kept current by the `watchJobs` stream (the backend
// polls the provider within its budget; the window never asks per second). The Generate screen
// reads it; its actions ("Download again", "Show in folder", "Save to…") run here, one per job at a time.

import { asCommandError, commands, watchJobs, type CommandError, type VideoJob } from "../ipc";
import { upsertJob } from "../video/jobs";

export type JobAction = "download" | "reveal" | "save";

export interface JobsBackend {
  watch: (onUpdate: (job: VideoJob) => void) => Promise<void>;
  list: () => Promise<VideoJob[]>;
  download: (jobId: string) => Promise<VideoJob>;
  reveal: (jobId: string) => Promise<null>;
  /** The Save dialog, then a copy: where it went, or null when the dialog was closed. */
  save: (jobId: string) => Promise<string | null>;
}

const TAURI: JobsBackend = {
  watch: watchJobs,
  list: () => commands.listJobs(),
  download: (id) => commands.downloadJob(id),
  reveal: (id) => commands.revealJobFile(id),
  save: (id) => commands.saveVideo(id),
};

/** Where a job ends: worth a badge on Generate when it happens elsewhere. */
const ENDED: ReadonlySet<VideoJob["state"]> = new Set(["completed", "failed", "expired"]);

export class Jobs {
  /** Newest first. */
  list = $state.raw<VideoJob[]>([]);
  loaded = $state(false);
  loadError = $state.raw<CommandError | null>(null);
  /** The action running per job id. */
  busy = $state.raw<Readonly<Record<string, JobAction>>>({});
  /** Jobs that finished (ready, failed, out of time) since the operator last looked at Generate. */
  unseen = $state.raw<readonly string[]>([]);
  /** Where each job's video was last saved with "Save to…", shown in its row. */
  savedTo = $state.raw<Readonly<Record<string, string>>>({});
  /** The last failed action per job id, shown in its row. */
  actionErrors = $state.raw<Readonly<Record<string, CommandError>>>({});

  readonly #backend: JobsBackend;
  #initialised = false;

  constructor(backend: JobsBackend = TAURI) {
    this.#backend = backend;
  }

  /** Once per window: subscribe first (so nothing between the two is missed), then list. */
  async init(): Promise<void> {
    if (this.#initialised) {
      return;
    }
    this.#initialised = true;
    try {
      await this.#backend.watch((job) => {
        this.receive(job);
      });
      let list = this.list;
      for (const job of await this.#backend.list()) {
        list = upsertJob(list, job);
      }
      this.list = list;
      this.loadError = null;
    } catch (e) {
      this.loadError = asCommandError(e);
    } finally {
      this.loaded = true;
    }
  }

  receive(job: VideoJob): void {
    const before = this.list.find((j) => j.id === job.id)?.state;
    if (before !== undefined && !ENDED.has(before) && ENDED.has(job.state) && !this.unseen.includes(job.id)) {
      this.unseen = [...this.unseen, job.id];
    }
    this.list = upsertJob(this.list, job);
  }

  /** The operator is on Generate: the nav badge goes. */
  markSeen(): void {
    if (this.unseen.length > 0) {
      this.unseen = [];
    }
  }

  /** The provider made the video but it did not come down: fetch it again (nothing is charged again). */
  downloadAgain(id: string): Promise<void> {
    return this.#run(id, "download", async () => {
      this.receive(await this.#backend.download(id));
    });
  }

  /** Opens the video's folder with the file selected. */
  reveal(id: string): Promise<void> {
    return this.#run(id, "reveal", async () => {
      await this.#backend.reveal(id);
    });
  }

  /** "Save to…": a copy of the finished video where the operator chooses. */
  saveTo(id: string): Promise<void> {
    return this.#run(id, "save", async () => {
      const path = await this.#backend.save(id);
      if (path !== null) {
        this.savedTo = { ...this.savedTo, [id]: path };
      }
    });
  }

  async #run(id: string, action: JobAction, task: () => Promise<void>): Promise<void> {
    if (this.busy[id] !== undefined) {
      return;
    }
    this.busy = { ...this.busy, [id]: action };
    this.actionErrors = Object.fromEntries(Object.entries(this.actionErrors).filter(([k]) => k !== id));
    try {
      await task();
    } catch (e) {
      this.actionErrors = { ...this.actionErrors, [id]: asCommandError(e) };
    } finally {
      this.busy = Object.fromEntries(Object.entries(this.busy).filter(([k]) => k !== id));
    }
  }
}

export const jobs = new Jobs();
