package sandbox

// SiteSpec sizes a generated large site for performance work (see
// WithGeneratedSite). The same Seed always produces the same site.
type SiteSpec struct {
	Projects     int   // Jira projects
	CustomFields int   // Jira custom fields
	Issues       int   // Jira issues, spread over the projects
	Spaces       int   // Confluence spaces
	Pages        int   // Confluence pages, spread over the spaces
	Seed         int64 // random seed; 0 means 1
}
