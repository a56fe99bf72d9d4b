export {
  type AuditEntry,
  type AuditOutcome,
  auditInsert,
  MAX_STATEMENT_CHARS,
  recordAudit,
} from './record.ts';
