package sandbox

import (
	"fmt"
	"regexp"
	"sync"
)

var projectKeyPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Z0-9]{1,9}$`) })

// AddJiraProject adds an empty software project with Task and Bug issue
// types on the basic workflow, as a site admin creating a project would:
// schema discovery finds it on its next run. key is 2-10 upper-case
// letters or digits starting with a letter.
func (s *Server) AddJiraProject(key, name string) error {
	if !projectKeyPattern().MatchString(key) {
		return fmt.Errorf("project key %q: want 2-10 upper-case letters or digits, starting with a letter", key)
	}
	if name == "" {
		return fmt.Errorf("project %s needs a name", key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jira()
	if j.project(key) != nil {
		return fmt.Errorf("project %s exists already", key)
	}
	p := &jProject{ID: j.newID(), Key: key, Name: name, Lead: s.users[0].AccountID, TypeKey: "software", Style: "classic",
		IssueTypes: []*jIssueType{j.issueType(issueTypeTask), j.issueType(issueTypeBug)}, Priorities: j.priorities}
	j.addProject(p)
	basic := j.basicWorkflow()
	for _, t := range p.IssueTypes {
		p.workflows[t.ID] = basic
		p.screens[t.ID] = []string{"summary", "issuetype", "project", "description", "priority", "assignee", "reporter", "labels"}
	}
	return nil
}
