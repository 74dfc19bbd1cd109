package pgstore

// SetAuditPageRows sets how many rows a's NewestFirst cursors read at a
// time, so the tests cross page boundaries with a few entries.
func SetAuditPageRows(a *Audit, n int) { a.pageRows = n }
