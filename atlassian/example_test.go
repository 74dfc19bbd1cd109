package atlassian_test

import (
	"context"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// The clients take an *http.Client whose transport authenticates; they
// never see the token. Here the gateway is the sandbox.
func ExampleNewJiraClient() {
	srv := sandbox.NewServer()
	defer srv.Close()
	ctx := context.Background()
	hc := oauth2.NewClient(ctx, oauth2.StaticTokenSource(srv.IssueToken().Token()))

	sites, err := atlassian.AccessibleResources(ctx, hc, srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	jira, err := atlassian.NewJiraClient(atlassian.JiraBaseURL(srv.URL, sites[0].ID), hc)
	if err != nil {
		fmt.Println(err)
		return
	}
	issue, err := jira.Issues.Get(ctx, "ENG-2", &atlassian.IssueGetOptions{Fields: []string{"summary", "status"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sites[0].Products)
	fmt.Println(issue.Key, issue.Fields.Summary, "|", issue.Fields.Status.Name)
	// Output:
	// [confluence jira]
	// ENG-2 Rate-limit the public API per client | In Progress
}

// ResolveLink turns "A ‹phrase› B" into Jira's inward/outward fields.
func ExampleResolveLink() {
	types := []atlassian.IssueLinkType{{ID: "10000", Name: "Blocks", Inward: "is blocked by", Outward: "blocks"}}
	for _, phrase := range []string{"blocks", "is blocked by"} {
		req, err := atlassian.ResolveLink(types, "ENG-3", phrase, "ENG-4")
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("ENG-3 %s ENG-4: inwardIssue=%s outwardIssue=%s\n", phrase, req.InwardIssue.Key, req.OutwardIssue.Key)
	}
	// Output:
	// ENG-3 blocks ENG-4: inwardIssue=ENG-3 outwardIssue=ENG-4
	// ENG-3 is blocked by ENG-4: inwardIssue=ENG-4 outwardIssue=ENG-3
}
