package sandbox_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// A test starts a sandbox, mints a token without the browser flow and calls
// the gateway with it.
func ExampleNewServer() {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()

	client := srv.HTTPClient("read:jira-work", "read:page:confluence")
	resp, err := client.Get(srv.URL + "/oauth/token/accessible-resources")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var sites []struct {
		ID     string   `json:"id"`
		URL    string   `json:"url"`
		Scopes []string `json:"scopes"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&sites)
	for _, s := range sites {
		fmt.Println(s.ID == srv.CloudID, s.URL, s.Scopes)
	}
	// Output:
	// true https://acme-demo.atlassian.net [read:jira-work]
	// true https://acme-demo.atlassian.net [read:page:confluence]
}

// Faults make the next matching requests fail the way Atlassian does.
func ExampleServer_InjectFault() {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()

	f := sandbox.RateLimitFault("jira-burst-based", 3*time.Second)
	f.Path, f.Times = "/rest/api/3/", 1
	srv.InjectFault(f)

	resp, err := srv.HTTPClient().Get(srv.JiraBaseURL() + "/rest/api/3/myself")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("RateLimit-Reason"))
	fmt.Println(len(srv.Requests()), srv.Requests()[0].AuthPresent)
	// Output:
	// 429 3 jira-burst-based
	// 1 true
}
