package atlassiantest

// registerJira mounts the Jira Cloud REST v3 routes.
func (s *Server) registerJira() {
	s.jira()
}

// generateJira fills a generated large site's Jira data (see SiteSpec).
func (s *Server) generateJira(spec SiteSpec) { _ = spec }
