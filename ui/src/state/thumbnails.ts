// The one cache of face previews, shared by the Library and Generate's chosen face: a preview
// fetched for either shows at once in the other.

import { commands } from "../ipc";
import { Thumbnails } from "../library/thumbnails.svelte";

export const thumbs = new Thumbnails((id) => commands.faceThumbnail(id));
