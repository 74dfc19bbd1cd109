package atlassiantest

// registerConfluence mounts the Confluence Cloud routes. Owned by the
// Confluence part of the sandbox; replaced as it lands.
func (s *Server) registerConfluence() {}

// seedConfluence fills the demo site's Confluence data.
func (s *Server) seedConfluence() {}

// generateConfluence fills a generated large site's Confluence data.
func (s *Server) generateConfluence(spec SiteSpec) { _ = spec }
