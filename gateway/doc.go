// Package gateway stands between the transports and the tool layer: who is
// calling, what they may call, and the record of every call.
//
//   - Identity (access.go): the authenticated agent, its tenant, its policy
//     (tool -> lowest sender Tier) and how its senders are tiered (a
//     Directory of business domains and VIPs). WithIdentity puts one in a
//     request's context; nothing below the gateway reads anything else.
//   - Guard (access.go): the middleware, tool filter and hooks of one
//     tenant's mcp.Server. It refuses what the policy does not allow before
//     the handler runs (a denied call never reaches Atlassian) and writes
//     every call, allowed or denied, to the AuditLog before the result is
//     returned. Guard.Apply installs it in mcp.Options.
//   - Config, Authenticator (config.go, auth.go): the agents config file
//     (tenants, agents with hashed bearer tokens, policies, directories)
//     and constant-time token checks.
//   - Gateway (http.go, http_guard.go): the streamable-HTTP front of a
//     multi-tenant server. It checks the Origin, authenticates the bearer
//     token, binds sessions to the agent that created them, bounds the
//     body and routes to the agent's tenant's server.
//   - AuditLog (audit.go): an append-only, rotated JSON-lines file per
//     tenant, secrets redacted, and ReadAudit to filter it.
//
// A stdio server has no gateway in front: the local user is Owner, set as
// the Guard's Default identity.
package gateway
