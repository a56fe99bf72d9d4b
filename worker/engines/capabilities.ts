/**
 * What each engine can do, as plain data: the engines' dialects carry it, the connection view
 * returns it, and the web app reads it for a connection it has not saved yet. No driver or
 * compiler is imported here, so the browser bundle can take it.
 */
import type { Capabilities, EngineName } from './dialect.ts';

export const CAPABILITIES: Record<EngineName, Capabilities> = {
  postgres: {
    transactions: true,
    transactionalDdl: true,
    returning: true,
    namespaces: 'schemas',
    addressing: 'network',
    materializedViews: true,
    enums: true,
    sequencesAndDomains: true,
    explainFormats: ['text', 'json'],
    // Neon's HTTP and WebSocket transports can only stop waiting; the server runs on to its timeout.
    cancel: false,
    readOnlyMode: 'transaction',
    streaming: true,
    cursorStreaming: true,
    logins: true,
    identifierQuote: '"',
  },
  mysql: {
    transactions: true,
    // MySQL commits implicitly around DDL, so only DML scripts are atomic.
    transactionalDdl: false,
    returning: false,
    namespaces: 'databases',
    addressing: 'network',
    materializedViews: false,
    enums: true,
    sequencesAndDomains: false,
    explainFormats: ['text', 'json'],
    cancel: false,
    readOnlyMode: 'session',
    streaming: true,
    // No server-side cursors over HTTP: LIMIT/OFFSET pages inside one consistent snapshot.
    cursorStreaming: false,
    logins: true,
    identifierQuote: '`',
  },
  sqlite: {
    transactions: true,
    transactionalDdl: true,
    returning: true,
    namespaces: 'single',
    addressing: 'binding',
    materializedViews: false,
    enums: false,
    sequencesAndDomains: false,
    explainFormats: ['text'],
    // D1 cannot cancel a statement once sent; the deadline only stops waiting.
    cancel: false,
    readOnlyMode: 'program',
    streaming: true,
    cursorStreaming: false,
    // D1 has no logins: privileges() reports none.
    logins: false,
    identifierQuote: '"',
  },
};

export function capabilitiesOf(name: EngineName): Capabilities {
  return CAPABILITIES[name];
}
