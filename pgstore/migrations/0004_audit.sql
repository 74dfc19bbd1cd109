-- Every tool call, allowed or denied, of every replica: one row per entry,
-- committed before the call's result is returned. The entry itself is the
-- JSON the file log writes (so both stores read back alike); the columns
-- beside it are what filters and retention use.
CREATE TABLE IF NOT EXISTS audit_entries (
	id           bigserial PRIMARY KEY,
	at           timestamptz NOT NULL,
	tenant       text NOT NULL,
	agent        text NOT NULL,
	tool         text NOT NULL,
	status       text NOT NULL,
	execution_id text NOT NULL,
	entry        jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_entries_tenant_at ON audit_entries (tenant, at);
CREATE INDEX IF NOT EXISTS audit_entries_at ON audit_entries (at);
