package pgstore

import "time"

// SetAuditPageRows sets how many rows a's NewestFirst cursors read at a
// time, so the tests cross page boundaries with a few entries.
func SetAuditPageRows(a *Audit, n int) { a.pageRows = n }

// SetAuditTimeout sets how long a's commits may take.
func SetAuditTimeout(a *Audit, d time.Duration) { a.timeout = d }

// SetAuditSpoolMax sets how many entries a's spool holds.
func SetAuditSpoolMax(a *Audit, n int) { a.spoolMax = n }

// SetAuditRetry sets how often a's spool is retried while no write comes.
func SetAuditRetry(a *Audit, d time.Duration) { a.retryEvery = d }

// AuditRowsRead returns how many rows a cursor of NewestFirst or Latest
// read from the table.
func AuditRowsRead(c any) int { return c.(*auditCursor).rows }

// TenantsSQL is the query of Audit.Tenants.
const TenantsSQL = tenantsSQL
