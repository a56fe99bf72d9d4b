import * as decoding from 'lib0/decoding';
import type { WSMessage } from 'partyserver';
import { ROOM_LIMITS } from './protocol.ts';

// y-protocols message tags (the first varuints of every binary frame).
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const SYNC_STEP_1 = 0;
export const SYNC_UPDATE = 2;

export function byteLength(message: WSMessage): number {
  if (typeof message !== 'string') return message.byteLength;
  // UTF-8 needs at most 3 bytes per UTF-16 unit: encode only when that bound could exceed the limit.
  return message.length * 3 <= ROOM_LIMITS.maxMessageBytes
    ? message.length
    : new TextEncoder().encode(message).byteLength;
}

export function toBytes(message: ArrayBuffer | ArrayBufferView): Uint8Array {
  return message instanceof ArrayBuffer
    ? new Uint8Array(message)
    : new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
}

/** Classifies a binary frame without decoding its payload. */
export function peekKind(bytes: Uint8Array): 'doc-read' | 'doc-update' | 'awareness' | 'invalid' {
  try {
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_AWARENESS) return 'awareness';
    if (type !== MESSAGE_SYNC) return 'invalid';
    const step = decoding.readVarUint(decoder);
    if (step === SYNC_STEP_1) return 'doc-read';
    return step === 1 || step === SYNC_UPDATE ? 'doc-update' : 'invalid';
  } catch {
    return 'invalid';
  }
}
