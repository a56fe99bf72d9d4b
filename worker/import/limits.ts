/** CSV uploads may be this large; they are parsed as they stream, never held whole. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** The import route, which takes a streamed CSV body instead of the 1 MB JSON limit. */
export const isImportPath = (path: string): boolean =>
  /^\/api\/connections\/[^/]+\/tables\/[^/]+\/[^/]+\/import$/.test(path) ||
  /^\/api\/hosted-databases\/[^/]+\/import$/.test(path);
