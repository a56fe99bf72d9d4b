export { type AuditEntry, type AuditOutcome, MAX_STATEMENT_CHARS, recordAudit } from './record.ts';
