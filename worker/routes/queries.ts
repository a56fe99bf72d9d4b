import { createRouter } from '../openapi.ts';

/** Placeholder: filled in by the issue that owns this resource. */
export const queries = createRouter();
