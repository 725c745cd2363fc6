// The arithmetic of a virtualized list: which items a scrolled viewport shows, and how much
// empty space stands in for the rest above and below. Items may differ in height (a person with
// many files is taller); heights come from an estimate until the row has been measured.
//
// Pure: the list component feeds it heights, the scroll position and the viewport's height.

/**
 * Where each item starts: `offsets[i]` is the top of item i, `offsets[n]` the total height. An
 * item's height includes the space after it (the list's rows carry their own gap).
 */
export function offsetsOf(heights: readonly number[]): Float64Array {
  const n = heights.length;
  const offsets = new Float64Array(n + 1);
  let y = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = y;
    y += Math.max(0, heights[i] ?? 0);
  }
  offsets[n] = y;
  return offsets;
}

/** The item under vertical position `y` (clamped to the list): a binary search over the offsets. */
export function indexAt(offsets: Float64Array, y: number): number {
  const n = offsets.length - 1;
  if (n <= 0) {
    return 0;
  }
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((offsets[mid] ?? 0) <= y) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

export interface WindowRange {
  /** The first item rendered. */
  start: number;
  /** One past the last item rendered. */
  end: number;
  /** Empty space standing in for the items before `start`. */
  before: number;
  /** Empty space standing in for the items after `end`. */
  after: number;
}

/**
 * The items to render for a viewport `height` pixels tall scrolled to `scrollTop`, with
 * `overscan` more on each side so a quick scroll does not show blank space.
 */
export function visibleRange(offsets: Float64Array, scrollTop: number, height: number, overscan = 3): WindowRange {
  const n = offsets.length - 1;
  const total = offsets[n] ?? 0;
  if (n <= 0) {
    return { start: 0, end: 0, before: 0, after: 0 };
  }
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, total - 1));
  const first = indexAt(offsets, top);
  const last = indexAt(offsets, top + Math.max(0, height));
  const start = Math.max(0, first - overscan);
  const end = Math.min(n, last + 1 + overscan);
  const before = offsets[start] ?? 0;
  const after = total - (offsets[end] ?? total);
  return { start, end, before, after: Math.max(0, after) };
}

/**
 * How far to move the scroll position when an item's measured height differs from what was
 * assumed: only items above the viewport push what the operator is looking at, so only they
 * are compensated for.
 */
export function anchorShift(index: number, firstVisible: number, oldHeight: number, newHeight: number): number {
  return index < firstVisible ? newHeight - oldHeight : 0;
}
