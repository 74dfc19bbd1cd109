package sandbox

import "testing"

// TestJiraFieldRenderers checks that addField gave every system field its
// renderer, but lastViewed and security, which Jira returns as null.
func TestJiraFieldRenderers(t *testing.T) {
	c := newJiraTest(t)
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	for _, f := range c.srv.jira().fields {
		null := f.ID == "lastViewed" || f.ID == "security"
		switch {
		case f.Custom && f.render != nil:
			t.Errorf("custom field %s has a system renderer", f.ID)
		case !f.Custom && !null && f.render == nil:
			t.Errorf("system field %s has no renderer", f.ID)
		case null && f.render != nil:
			t.Errorf("%s renders a value; Jira returns null", f.ID)
		}
	}
}
