// Replaced by the renderer (issue 5); keeps `tsc -p tsconfig.renderer.json` meaningful until then.
export const RENDERER_PENDING = true;
