import { DurableObject } from 'cloudflare:workers';

/** Placeholder until the live-documents issue lands. */
export class DocumentRoom extends DurableObject {}
