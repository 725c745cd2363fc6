// The Seedance video form's rules: it offers only what the running provider's `VideoOptions`
// list (models with their own resolutions, durations, ratios, the faces usable there), keeps a
// choice only while it is still offered, and places a refusal next to the field it names.
// Pure: the screen holds a `VideoDraft` and passes it through these functions.

import type { CommandError, FaceSummary, ProviderKind, VideoApi, VideoModelOption, VideoOptions, VideoRequest } from "../ipc";
import { faceKindLabel, formatCount, providerLabel } from "../lib/format";

export interface VideoDraft {
  /** The face's asset id; empty until the operator picks one. */
  faceId: string;
  /** The provider's own model id. */
  model: string;
  prompt: string;
  durationSeconds: number;
  resolution: string;
  aspectRatio: string;
}

/** The form's fields, named as the backend's `CommandError.field` names them. */
export type VideoField = "face" | "model" | "prompt" | "duration" | "resolution" | "ratio";

const FIELDS: ReadonlySet<string> = new Set<VideoField>(["face", "model", "prompt", "duration", "resolution", "ratio"]);

/** The field a refusal is about, or null for one that belongs under the whole form. */
export function videoErrorField(error: Pick<CommandError, "field">): VideoField | null {
  return error.field !== null && FIELDS.has(error.field) ? (error.field as VideoField) : null;
}

export function modelOf(options: VideoOptions, id: string): VideoModelOption | undefined {
  return options.models.find((m) => m.id === id);
}

export function resolutionsFor(options: VideoOptions, modelId: string): readonly string[] {
  return modelOf(options, modelId)?.resolutions ?? [];
}

/** A resolution the model takes: the one asked for if it is offered, else the model's default. */
function allowedResolution(model: VideoModelOption | undefined, wanted: string | undefined): string {
  if (model === undefined) {
    return wanted ?? "";
  }
  if (wanted !== undefined && model.resolutions.includes(wanted)) {
    return wanted;
  }
  return model.resolutions.includes(model.defaultResolution) ? model.defaultResolution : (model.resolutions[0] ?? "");
}

/**
 * The form for a provider's options: the provider's defaults, keeping what the operator chose
 * before (another provider's options were loaded, or the same ones again) wherever it is still
 * offered. A face is never kept across providers: its id would not be usable.
 */
export function initialDraft(options: VideoOptions, previous: VideoDraft | null = null): VideoDraft {
  const model = previous !== null && modelOf(options, previous.model) !== undefined ? previous.model : options.defaultModel;
  const faceId =
    previous !== null && options.faces.some((f) => f.assetId === previous.faceId)
      ? previous.faceId
      : options.faces.length === 1
        ? (options.faces[0]?.assetId ?? "")
        : "";
  return {
    faceId,
    model,
    prompt: previous?.prompt ?? "",
    durationSeconds:
      previous !== null && options.durations.includes(previous.durationSeconds) ? previous.durationSeconds : options.defaultDuration,
    resolution: allowedResolution(modelOf(options, model), previous?.resolution),
    aspectRatio: previous !== null && options.ratios.includes(previous.aspectRatio) ? previous.aspectRatio : options.defaultRatio,
  };
}

/** Another model: its resolution is kept only if the new model offers it too. */
export function withModel(draft: VideoDraft, options: VideoOptions, modelId: string): VideoDraft {
  return { ...draft, model: modelId, resolution: allowedResolution(modelOf(options, modelId), draft.resolution) };
}

/** The prompt's length as the backend counts it: characters (not bytes) of the trimmed text. */
export function promptLength(prompt: string): number {
  return Array.from(prompt.trim()).length;
}

/** "42 / 5,000 characters". */
export function promptCountText(prompt: string, max: number): string {
  return `${formatCount(promptLength(prompt))} / ${formatCount(max)} characters`;
}

export interface DraftProblem {
  field: VideoField;
  message: string;
}

/**
 * What keeps the form from being sent, checked before asking for a price (the backend checks
 * the same again): a face, a prompt, and a prompt within the provider's limit.
 */
export function draftProblem(draft: VideoDraft, options: VideoOptions): DraftProblem | null {
  if (draft.faceId === "") {
    return { field: "face", message: "Pick the face for the video." };
  }
  if (!options.faces.some((f) => f.assetId === draft.faceId)) {
    return { field: "face", message: `That face cannot be used with ${providerLabel(options.provider)}. Pick one from the list.` };
  }
  const length = promptLength(draft.prompt);
  if (length === 0) {
    return { field: "prompt", message: "Describe the video in the prompt (what the person does, the setting, the light)." };
  }
  if (length > options.maxPromptChars) {
    return {
      field: "prompt",
      message: `The prompt is ${formatCount(length)} characters; at most ${formatCount(options.maxPromptChars)} are taken. Shorten it.`,
    };
  }
  return null;
}

export function requestOf(draft: VideoDraft): VideoRequest {
  return {
    faceAssetId: draft.faceId,
    prompt: draft.prompt.trim(),
    model: draft.model,
    durationSeconds: draft.durationSeconds,
    resolution: draft.resolution,
    aspectRatio: draft.aspectRatio,
  };
}

/** A face in the picker: "Ada Lovelace · Real face · ta_8c2f4e1a…6f70". */
export function faceOptionLabel(face: Pick<FaceSummary, "name" | "kind" | "assetId">): string {
  const id = face.assetId.length > 26 ? `${face.assetId.slice(0, 14)}…${face.assetId.slice(-6)}` : face.assetId;
  const kind = face.kind === "asset" ? "BytePlus photo" : faceKindLabel(face.kind);
  return `${face.name} · ${kind} · ${id}`;
}

export interface FaceMatches {
  faces: FaceSummary[];
  /** How many faces match in all (the picker shows at most `limit`). */
  total: number;
}

/**
 * The faces the picker offers for a search (name or id, any case): at most `limit`, and always
 * the chosen one, so a search never silently changes the choice.
 */
export function matchingFaces(faces: readonly FaceSummary[], query: string, selectedId: string, limit = 200): FaceMatches {
  const q = query.trim().toLocaleLowerCase();
  const hits = q === "" ? faces : faces.filter((f) => f.name.toLocaleLowerCase().includes(q) || f.assetId.toLocaleLowerCase().includes(q));
  const shown = hits.slice(0, limit);
  if (selectedId !== "" && !shown.some((f) => f.assetId === selectedId)) {
    const chosen = faces.find((f) => f.assetId === selectedId);
    if (chosen !== undefined) {
      shown.unshift(chosen);
    }
  }
  return { faces: shown, total: hits.length };
}

/** Whose API the provider speaks, for the sentences below: "Rehearsal (as Anyfast)". */
export function providerWords(provider: ProviderKind, api: VideoApi): string {
  return provider === "rehearsal" ? `Rehearsal (as ${providerLabel(api)})` : providerLabel(provider);
}

/** What to do when no face in the library can be used with the running provider. */
export function noFacesHelp(options: Pick<VideoOptions, "provider" | "api">): string {
  const where = providerWords(options.provider, options.api);
  if (options.api === "blockrun" || options.api === "jarvisclaw") {
    return `No face enrolled with ${where} yet. Face ids never cross providers: enroll the talent with ${where} in Session, and their face appears here.`;
  }
  return `No active photo of a verified person with ${where} yet. Face ids never cross providers: run a session with ${where} in Session; once the photo is Active it appears here.`;
}

const RATIO_WORDS: Readonly<Record<string, string>> = {
  "16:9": "16:9 landscape",
  "9:16": "9:16 portrait",
  "1:1": "1:1 square",
  "4:3": "4:3",
  "3:4": "3:4",
  "21:9": "21:9 wide",
  adaptive: "Adaptive (follows the photo)",
  auto: "Automatic",
};

export function ratioLabel(ratio: string): string {
  return Object.prototype.hasOwnProperty.call(RATIO_WORDS, ratio) ? (RATIO_WORDS[ratio] ?? ratio) : ratio;
}

/** Who pays, when the provider bills its account rather than being paid over x402. */
export function accountBillingNote(provider: ProviderKind, api: VideoApi): string {
  if (provider === "rehearsal") {
    return `Rehearsal plays ${providerLabel(api)}'s account billing: nothing is billed.`;
  }
  return `Billed to your ${providerLabel(provider)} account`;
}
