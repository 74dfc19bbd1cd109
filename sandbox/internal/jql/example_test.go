package jql_test

import (
	"fmt"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox/internal/jql"
)

func Example() {
	env := &jql.Env{
		Now:      time.Date(2026, 3, 18, 10, 30, 0, 0, time.UTC),
		Projects: []jql.ProjectRef{{ID: "10000", Key: "ENG", Name: "Engineering"}},
	}
	issues := []*jql.Issue{
		{ID: 1, Key: "ENG-1", ProjectKey: "ENG", Summary: "Login fails with SSO", Priority: "High", Created: env.Now.Add(-time.Hour)},
		{ID: 2, Key: "ENG-2", ProjectKey: "ENG", Summary: "Dark mode", Priority: "Low", Created: env.Now.Add(-48 * time.Hour)},
		{ID: 3, Key: "ENG-3", ProjectKey: "ENG", Summary: "Login page typo", Priority: "Highest", Created: env.Now},
	}

	q, err := jql.Parse(`project = ENG AND summary ~ "login" AND created > -1d ORDER BY priority DESC`)
	if err != nil {
		panic(err)
	}
	if err := q.Validate(env); err != nil {
		panic(err)
	}
	var hits []*jql.Issue
	for _, is := range issues {
		if q.Match(is, env) {
			hits = append(hits, is)
		}
	}
	for _, is := range q.TopK(hits, env, 25) { // the first page, in order
		fmt.Println(is.Key, is.Priority)
	}

	_, err = jql.Parse("status = In Progress")
	fmt.Println(err)

	q, _ = jql.Parse("project = XINET")
	fmt.Println(q.Validate(env))
	// Output:
	// ENG-3 Highest
	// ENG-1 High
	// Error in the JQL Query: Expecting either a value, list or function but got 'In'. You must surround 'In' in quotation marks to use it as a value. (line 1, character 10)
	// The value 'XINET' does not exist for the field 'project'.
}
