-- Which agent owns each streamable-HTTP session, so any replica can serve
-- a session's requests (a load balancer need not pin sessions). Rows idle
-- longer than the session idle TTL are treated as gone and swept.
CREATE TABLE IF NOT EXISTS http_sessions (
	tenant     text NOT NULL,
	id         text NOT NULL,
	agent      text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant, id)
);
CREATE INDEX IF NOT EXISTS http_sessions_last_seen ON http_sessions (last_seen);
