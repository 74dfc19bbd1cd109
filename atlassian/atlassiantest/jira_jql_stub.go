//go:build !jqlready

package atlassiantest

// Temporary stand-in until internal/jql compiles.

type jqlView struct{}

type jqlState struct{ env *struct{} }

func (j *jiraState) initUsers(users []*User) {}

func (j *jiraState) refreshView(is *jIssue) {}
