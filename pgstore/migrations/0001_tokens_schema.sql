-- Connections: the public part as JSON, the secrets sealed by the
-- application (AES-256-GCM) before they reach the database.
CREATE TABLE IF NOT EXISTS connections (
	name        text PRIMARY KEY,
	public      jsonb NOT NULL,
	sealed      bytea NOT NULL,
	key_version smallint NOT NULL,
	generation  bigint NOT NULL DEFAULT 0,
	updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One value per key version, sealed with that key, so a wrong key is told
-- apart from a tampered record.
CREATE TABLE IF NOT EXISTS key_checks (
	version smallint PRIMARY KEY,
	sealed  bytea NOT NULL
);

-- One schema snapshot per connection; version grows with every save so
-- other replicas notice a refresh.
CREATE TABLE IF NOT EXISTS schema_snapshots (
	connection text PRIMARY KEY,
	version    bigint NOT NULL,
	snapshot   bytea NOT NULL,
	saved_at   timestamptz NOT NULL DEFAULT now()
);
