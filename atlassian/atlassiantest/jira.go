package atlassiantest

// registerJira mounts the Jira Cloud REST v3 routes. Owned by the Jira part
// of the sandbox; replaced as it lands.
func (s *Server) registerJira() {}

// seedJira fills the demo site's Jira data.
func (s *Server) seedJira() {}

// generateJira fills a generated large site's Jira data (see SiteSpec).
func (s *Server) generateJira(spec SiteSpec) { _ = spec }
