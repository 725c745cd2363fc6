// The Library as a grid of large photos, virtualized by row: the grid is cut into rows of as
// many tiles as the width takes, and the virtual list (components/VirtualList.svelte) renders
// only the rows in view, so 10,000 faces cost what a screenful does.

/** A tile's narrowest width: a photo large enough to tell two people apart at a glance. */
export const TILE_MIN_PX = 200;
/** The gap between tiles, across and down. */
export const TILE_GAP_PX = 16;
/** Below the square photo: the name, a line of tags, the provider. */
export const TILE_CAPTION_PX = 100;

/** How many tiles fit across `width` pixels (at least one). */
export function columnsFor(width: number, min = TILE_MIN_PX, gap = TILE_GAP_PX): number {
  if (!Number.isFinite(width) || width <= min) {
    return 1;
  }
  return Math.max(1, Math.floor((width + gap) / (min + gap)));
}

/** One row's height, its gap below included: a square photo as wide as a tile, and the caption. */
export function rowHeight(width: number, columns: number, gap = TILE_GAP_PX): number {
  const tile = (Math.max(width, 1) - gap * (columns - 1)) / columns;
  return Math.round(tile + TILE_CAPTION_PX + gap);
}

export interface GridRow<T> {
  /**
   * The row's place and width, not who is in it: a keystroke in the search refills the rows on
   * screen in place (their tiles updated, not destroyed and made again), which is most of what a
   * keystroke costs at 10,000 faces. All rows of one width share one height, so a height measured
   * for a place holds whoever fills it.
   */
  key: string;
  items: readonly T[];
}

/** `items` cut into rows of `columns`, in order. Linear; no copying beyond the slices. */
export function rowsOf<T>(items: readonly T[], columns: number): GridRow<T>[] {
  const n = Math.max(1, Math.floor(columns));
  const rows: GridRow<T>[] = [];
  for (let i = 0; i < items.length; i += n) {
    const first = items[i];
    if (first === undefined) {
      break;
    }
    rows.push({ key: `${rows.length}|${n}`, items: items.slice(i, i + n) });
  }
  return rows;
}

/** Which row holds the item at `index`, for "scroll to this person". */
export function rowOfIndex(index: number, columns: number): number {
  return Math.floor(Math.max(0, index) / Math.max(1, Math.floor(columns)));
}
