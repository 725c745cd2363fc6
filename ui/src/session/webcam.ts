// The webcam's "Take photo": what a failure to open the camera means in words, and the
// countdown before the shot. Pure, so both are tested without a camera.

/** Seconds shown before the photo is taken, so the talent can look at the camera. */
export const COUNTDOWN_S = 3;

/** What the operator reads when the camera cannot be opened (`getUserMedia`'s error name). */
export function cameraProblem(errorName: string | null): string {
  switch (errorName) {
    case null:
    case "NotFoundError":
    case "OverconstrainedError":
      return "No camera found on this computer. Choose a photo file instead, or plug in a camera and try again.";
    case "NotAllowedError":
    case "SecurityError":
      return "The camera was not allowed. Allow it for Likeness Studio in the system's privacy settings, or choose a photo file.";
    case "NotReadableError":
    case "AbortError":
      return "The camera is busy (another app may be using it). Close that app and try again, or choose a photo file.";
    default:
      return "The camera could not be opened. Choose a photo file instead.";
  }
}

/** The numbers the countdown shows, from `from` down to 1. */
export function countdownSteps(from: number = COUNTDOWN_S): number[] {
  return Array.from({ length: Math.max(0, Math.floor(from)) }, (_, i) => from - i);
}
