// The Seedance video form's rules: it offers only what the running provider's `VideoOptions`
// list (models with their own resolutions, durations, ratios, the faces usable there, and the
// chosen person's video and voice clips where the model takes them), keeps a choice only while
// it is still offered, and places a refusal next to the field it names.
// Pure: the screen holds a `VideoDraft` and passes it through these functions.

import type { CommandError, FaceSummary, ProviderKind, ProviderApi, VideoEstimate, VideoJob, VideoModelOption, VideoOptions, VideoRequest } from "../ipc";
import { faceKindLabel, formatCount, formatDateTime, providerLabel } from "../lib/format";
import { isTest } from "../lib/test-mode";

export interface VideoDraft {
  /** The face's asset id; empty until the operator picks one. */
  faceId: string;
  /** The provider's own model id. */
  model: string;
  prompt: string;
  durationSeconds: number;
  resolution: string;
  aspectRatio: string;
  /** The person's video and voice clips ticked to go with the face (asset ids). */
  clipIds: string[];
}

/** The form's fields, named as the backend's `CommandError.field` names them. */
export type VideoField = "face" | "model" | "prompt" | "duration" | "resolution" | "ratio" | "clips";

const FIELDS: ReadonlySet<string> = new Set<VideoField>(["face", "model", "prompt", "duration", "resolution", "ratio", "clips"]);

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
  const draft = {
    faceId,
    model,
    prompt: previous?.prompt ?? "",
    durationSeconds:
      previous !== null && options.durations.includes(previous.durationSeconds) ? previous.durationSeconds : options.defaultDuration,
    resolution: allowedResolution(modelOf(options, model), previous?.resolution),
    aspectRatio: previous !== null && options.ratios.includes(previous.aspectRatio) ? previous.aspectRatio : options.defaultRatio,
    clipIds: previous?.clipIds ?? [],
  };
  return keptClips(draft, options);
}

/**
 * The form as `job` was asked for ("Make another like this"): its face, prompt, model, length,
 * resolution, ratio and clips, each where the running provider still offers it.
 */
export function draftLike(job: VideoJob, options: VideoOptions): VideoDraft {
  return initialDraft(options, {
    faceId: job.faceAssetId,
    model: job.model,
    prompt: job.prompt,
    durationSeconds: job.durationSeconds,
    resolution: job.resolution,
    aspectRatio: job.aspectRatio,
    clipIds: [...job.referenceVideos, ...job.referenceAudios],
  });
}

/** Another model: its resolution is kept only if the new model offers it too, and so are clips. */
export function withModel(draft: VideoDraft, options: VideoOptions, modelId: string): VideoDraft {
  return keptClips({ ...draft, model: modelId, resolution: allowedResolution(modelOf(options, modelId), draft.resolution) }, options);
}

/**
 * The form with this face chosen ("Make a video" in the Library), or null when the running
 * provider does not offer it (another provider's face, one still processing).
 */
export function withFace(draft: VideoDraft, options: VideoOptions, faceId: string): VideoDraft | null {
  return options.faces.some((f) => f.assetId === faceId) ? keptClips({ ...draft, faceId }, options) : null;
}

/** The clips the form offers with the chosen face and model, and how many of each go. */
export interface ClipOffer {
  /** Active video and voice clips of the face's group, of the kinds the model takes. */
  clips: FaceSummary[];
  maxVideos: number;
  maxAudios: number;
  /** What the provider's docs say about clips on this model, when it matters. */
  note: string | null;
  /** The face's group's active clips this model does not take (the note says why). */
  left: number;
}

/**
 * The chosen person's clips, where the model takes them: none without a face, for a face
 * without a group (`ta_…` faces), or on a model whose provider documents no group clips.
 */
export function clipOffer(options: VideoOptions, draft: Pick<VideoDraft, "faceId" | "model">): ClipOffer {
  const model = modelOf(options, draft.model);
  const maxVideos = model?.maxReferenceVideos ?? 0;
  const maxAudios = model?.maxReferenceAudios ?? 0;
  const group = options.faces.find((f) => f.assetId === draft.faceId)?.groupId ?? null;
  const takes = (c: FaceSummary): boolean => (c.assetType === "video" ? maxVideos > 0 : c.assetType === "audio" && maxAudios > 0);
  const mine = group === null ? [] : options.clips.filter((c) => c.groupId === group && c.status === "active");
  const clips = mine.filter(takes);
  return { clips, maxVideos, maxAudios, note: model?.clipsNote ?? null, left: mine.length - clips.length };
}

/** Only the ticked clips still offered (after the face or model changed). */
export function keptClips(draft: VideoDraft, options: VideoOptions): VideoDraft {
  const offered = new Set(clipOffer(options, draft).clips.map((c) => c.assetId));
  const clipIds = draft.clipIds.filter((id) => offered.has(id));
  return clipIds.length === draft.clipIds.length ? draft : { ...draft, clipIds };
}

/** A clip ticked or unticked. */
export function withClip(draft: VideoDraft, clipId: string, on: boolean): VideoDraft {
  const rest = draft.clipIds.filter((id) => id !== clipId);
  return { ...draft, clipIds: on ? [...rest, clipId] : rest };
}

/** A clip in the list: "Ada Lovelace · Video · asset-20260702…bdv2r". */
export function clipLabel(clip: Pick<FaceSummary, "name" | "assetType" | "assetId">): string {
  const id = clip.assetId.length > 26 ? `${clip.assetId.slice(0, 14)}…${clip.assetId.slice(-6)}` : clip.assetId;
  return `${clip.name} · ${clip.assetType === "audio" ? "Voice clip" : "Video"} · ${id}`;
}

/** "Up to 3 videos and 3 voice clips go with one video." */
export function clipLimitText(offer: Pick<ClipOffer, "maxVideos" | "maxAudios">): string {
  const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const kinds = [
    offer.maxVideos > 0 ? count(offer.maxVideos, "video", "videos") : null,
    offer.maxAudios > 0 ? count(offer.maxAudios, "voice clip", "voice clips") : null,
  ].filter((k): k is string => k !== null);
  return `Up to ${kinds.join(" and ")} go with one video. A voice clip makes the video with sound.`;
}

/** The ticked clips still offered, split by kind as the request names them. */
function chosenClips(draft: VideoDraft, options: VideoOptions): { videos: string[]; audios: string[] } {
  const offered = clipOffer(options, draft).clips.filter((c) => draft.clipIds.includes(c.assetId));
  return {
    videos: offered.filter((c) => c.assetType === "video").map((c) => c.assetId),
    audios: offered.filter((c) => c.assetType === "audio").map((c) => c.assetId),
  };
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
  const offer = clipOffer(options, draft);
  const { videos, audios } = chosenClips(draft, options);
  if (videos.length > offer.maxVideos) {
    return { field: "clips", message: `${videos.length} videos are ticked; at most ${offer.maxVideos} go with one video. Untick ${videos.length - offer.maxVideos}.` };
  }
  if (audios.length > offer.maxAudios) {
    return {
      field: "clips",
      message: `${audios.length} voice clips are ticked; at most ${offer.maxAudios} go with one video. Untick ${audios.length - offer.maxAudios}.`,
    };
  }
  return null;
}

export function requestOf(draft: VideoDraft, options: VideoOptions): VideoRequest {
  const { videos, audios } = chosenClips(draft, options);
  return {
    faceAssetId: draft.faceId,
    prompt: draft.prompt.trim(),
    model: draft.model,
    durationSeconds: draft.durationSeconds,
    resolution: draft.resolution,
    aspectRatio: draft.aspectRatio,
    referenceVideos: videos,
    referenceAudios: audios,
  };
}

/**
 * A face in the picker: "Ada Lovelace · Real person · Test · 7 Dec 2026, 10:43". The date, not
 * the id, tells two people of one name apart in words a producer reads.
 */
export function faceOptionLabel(face: Pick<FaceSummary, "name" | "kind" | "provider" | "enrolledAtMs">): string {
  const kind = face.kind === "asset" ? "Real person, photo" : faceKindLabel(face.kind);
  return `${face.name} · ${kind}${isTest(face.provider) ? " · Test" : ""} · ${formatDateTime(face.enrolledAtMs)}`;
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
export function providerWords(provider: ProviderKind, api: ProviderApi): string {
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
export function accountBillingNote(provider: ProviderKind, api: ProviderApi): string {
  if (provider === "rehearsal") {
    return `Rehearsal plays ${providerLabel(api)}'s account billing: nothing is billed.`;
  }
  return `Billed to your ${providerLabel(provider)} account`;
}

/**
 * The estimate under the form, before the provider is asked: "About $0.83 · usually 1–3 min
 * (BlockRun's figure)", or the account's billing words where no price is public. Null before the
 * first estimate arrives.
 */
export function estimateLine(estimate: VideoEstimate | null, options: VideoOptions): string | null {
  if (estimate === null) {
    return null;
  }
  const money =
    options.billing === "account"
      ? accountBillingNote(options.provider, options.api)
      : estimate.priceUsd === null
        ? null
        : `About $${estimate.priceUsd}, before the provider names its price`;
  const parts = [money, estimate.usually].filter((p): p is string => p !== null);
  return parts.length === 0 ? null : `${parts.join(" · ")}.`;
}

/** What the fast model trades, from the resolutions each model takes: shown by the model choice. */
export function tierLine(options: VideoOptions): string | null {
  const fast = options.models.find((m) => m.tier === "seedance-2.0-fast");
  const full = options.models.find((m) => m.tier === "seedance-2.0");
  if (fast === undefined || full === undefined) {
    return null;
  }
  const top = (m: VideoModelOption): string => m.resolutions[m.resolutions.length - 1] ?? m.defaultResolution;
  return `${fast.label} is quicker and cheaper, up to ${top(fast)}; ${full.label} is the full model, up to ${top(full)}.`;
}
