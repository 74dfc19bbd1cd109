-- The agents config of every replica: tenants, custom policies and agents
-- (with the SHA-256 of their bearer tokens, never the tokens), each a row
-- holding its part of the config file's JSON. config_meta holds the rest
-- (comment, audit settings) and the version every change raises, which the
-- replicas poll to reload. No row in config_meta: no config stored yet.
CREATE TABLE IF NOT EXISTS config_meta (
	id         boolean PRIMARY KEY DEFAULT true CHECK (id),
	version    bigint NOT NULL,
	doc        jsonb NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS config_tenants (
	name text PRIMARY KEY,
	doc  jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS config_policies (
	name text PRIMARY KEY,
	doc  jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS config_agents (
	name         text PRIMARY KEY,
	position     integer NOT NULL,
	tenant       text NOT NULL REFERENCES config_tenants (name),
	token_sha256 text NOT NULL UNIQUE,
	doc          jsonb NOT NULL
);
