package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// TestConsoleSiteChoiceInTheBrowser walks the connect wizard's site step in
// Chromium against a sandbox whose grant covers two sites (the demo site,
// which serve --sandbox connects as "sandbox", and the small lab site): the
// step lists both, a forged site id is refused on the page and changes
// nothing, at 390 px the step fits the window, and choosing the lab site
// connects it: its name on the Connections card, its own project and space
// in the schema browser, its issues through the wizard's agent.
func TestConsoleSiteChoiceInTheBrowser(t *testing.T) {
	chromiumPath(t) // skip (or, under CI, fail) before starting anything
	sb := sandbox.NewServer(sandbox.WithAutoApprove(), sandbox.WithSites(2))
	defer sb.Close()
	lab := sb.Sites()[1]
	base, adminToken, _, _ := consoleServer(t, sb)
	b := newBrowser(t, base)

	b.open("/admin/login", "#token")
	b.do("log in", chromedp.SendKeys(chromedp.CSS("#token"), adminToken), chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("nav.nav")))
	cards := func() int {
		b.open("/admin/connections", "#conn-sandbox")
		return evalIn[int](b, `document.querySelectorAll("[id^=conn-]").length`)
	}
	if n := cards(); n != 1 {
		t.Fatalf("%d connection cards before the wizard, want the sandbox's", n)
	}

	// The consent, in the console's tab, names both sites.
	b.open("/admin/connect", "#wizard-begin")
	b.do("begin", chromedp.Click(chromedp.CSS("#wizard-begin")), chromedp.WaitVisible(chromedp.CSS("#connect-atlassian")))
	href := evalIn[string](b, `document.querySelector("#connect-atlassian").href`)
	accept := `button[name=action][value=accept]`
	b.do("the consent page", chromedp.Navigate(href), chromedp.WaitVisible(chromedp.CSS(accept)))
	if page := b.text("body"); !strings.Contains(page, "acme-demo.atlassian.net") || !strings.Contains(page, "acme-lab.atlassian.net") {
		t.Fatalf("the consent page does not name both sites:\n%s", page)
	}
	b.do("accept", chromedp.Click(chromedp.CSS(accept)), chromedp.WaitVisible(chromedp.CSS("#step-site")))

	// The site step: both sites with name, URL and products; Site is the
	// current step.
	step := b.text("#step-site")
	for _, want := range []string{"The grant covers 2 sites", sb.SiteName, sb.SiteURL, lab.SiteName, lab.SiteURL, "Jira, Confluence", lab.CloudID} {
		if !strings.Contains(step, want) {
			t.Errorf("the site step lacks %q:\n%s", want, step)
		}
	}
	if n := evalIn[int](b, `document.querySelectorAll("#site-choice .site-option input[type=radio]").length`); n != 2 {
		t.Errorf("the site step offers %d sites, want 2", n)
	}
	if cur := b.text(".steps li.current"); !strings.Contains(cur, "Site") {
		t.Errorf("the current step reads %q, want Site", cur)
	}
	b.shot("site-1-choice")
	b.do("narrow window", chromedp.EmulateViewport(390, 844))
	b.shot("site-2-choice-narrow")
	b.fitsWidth("the site step")
	b.do("wide window", chromedp.EmulateViewport(1280, 800))

	// A forged site id (the form altered in the page) is refused on the
	// page; the wizard stays at the site step and nothing is stored.
	b.do("forge the site", chromedp.Evaluate[chromedp.Void](`(() => {
		const r = document.querySelector("#site-choice input[type=radio]");
		r.value = "0badc0de-forged-site"; r.checked = true;
	})()`), chromedp.Click(chromedp.CSS("#wizard-site")), chromedp.WaitVisible(chromedp.CSS("#wizard-error")))
	if msg := b.text("#wizard-error"); !strings.Contains(msg, `"0badc0de-forged-site" is not one this authorization covers`) || !strings.Contains(msg, "nothing was changed") {
		t.Errorf("a forged site says %q", msg)
	}
	if n := evalIn[int](b, `document.querySelectorAll("#step-site .site-option").length`); n != 2 {
		t.Errorf("after a forged site the wizard is not at the site step with both sites (%d)", n)
	}
	b.shot("site-3-forged")
	if n := cards(); n != 1 {
		t.Fatalf("%d connection cards after a forged site, want 1", n)
	}

	// Choose the lab site: the wizard goes on with its cloud id.
	b.open("/admin/connect", "#step-site")
	b.do("choose the lab site", chromedp.Click(chromedp.CSS(`.site-option[data-site="`+lab.SiteName+`"] input`)),
		chromedp.Click(chromedp.CSS("#wizard-site")), chromedp.WaitVisible(chromedp.CSS("#step-products")))
	if products := b.text("#step-products"); !strings.Contains(products, "Products detected on "+lab.SiteName) || !strings.Contains(products, lab.SiteURL) ||
		!strings.Contains(products, "Jira") || !strings.Contains(products, "Confluence") {
		t.Errorf("the products step after choosing %s:\n%s", lab.SiteName, products)
	}
	if done := b.text(".steps li:nth-child(3)"); !strings.Contains(done, "Site") || evalIn[string](b, `document.querySelector(".steps li:nth-child(3)").className`) != "done" {
		t.Errorf("the site step reads %q, want done", done)
	}
	if name := evalIn[string](b, `document.querySelector("#conn-name").value`); name != lab.SiteName {
		t.Errorf("the suggested connection name is %q, want %q", name, lab.SiteName)
	}
	b.shot("site-4-products")
	b.do("store the connection", chromedp.Click(chromedp.CSS("#wizard-store")), chromedp.WaitVisible(chromedp.CSS("#step-tools")))
	if res := b.text("#discovery-result"); !strings.Contains(res, "1 projects") && !strings.Contains(res, "1 project") {
		t.Errorf("the lab site's discovery result reads %q, want its one project", res)
	}
	b.do("assign", chromedp.Click(chromedp.CSS("#wizard-assign")), chromedp.WaitVisible(chromedp.CSS("#wizard-complete")))
	if done := b.text("#wizard-complete"); done != lab.SiteName+" is connected" {
		t.Errorf("the wizard ends with %q", done)
	}
	tok, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#token-value")))
	if err != nil || !strings.HasPrefix(tok, "amcp_") {
		t.Fatalf("the new agent's token field holds %q (%v)", tok, err)
	}

	// Connections: a card named for the lab site, next to the sandbox's.
	if n := cards(); n != 2 {
		t.Errorf("%d connection cards, want the sandbox's and %s", n, lab.SiteName)
	}
	b.open("/admin/connections", "#conn-"+lab.SiteName+" [data-status]")
	if name := b.text("#conn-" + lab.SiteName + " .site-name"); name != lab.SiteName {
		t.Errorf("the new card's site is %q", name)
	}
	if card := b.text("#conn-" + lab.SiteName); !strings.Contains(card, lab.SiteURL) || !strings.Contains(card, "Active") {
		t.Errorf("the %s card:\n%s", lab.SiteName, card)
	}
	b.shot("site-5-connections")

	// The schema browser shows the lab site's own project and space, and
	// the sandbox's connection keeps the demo site's.
	b.open("/admin/schema?connection="+lab.SiteName, "#projects")
	if projects := b.text("#projects"); !strings.Contains(projects, "LAB – Research Lab") || strings.Contains(projects, "ENG") {
		t.Errorf("the lab site's projects: %q", projects)
	}
	if spaces := b.text("#spaces"); !strings.Contains(spaces, "LAB") || strings.Contains(spaces, "TEAM") {
		t.Errorf("the lab site's spaces: %q", spaces)
	}
	if fields := b.text("#fields-table"); !strings.Contains(fields, "Hypothesis") || strings.Contains(fields, "Story Points") {
		t.Errorf("the lab site's custom fields: %q", fields)
	}
	b.shot("site-6-schema")
	b.open("/admin/schema?connection=sandbox", "#projects")
	if projects := b.text("#projects"); !strings.Contains(projects, "ENG") || strings.Contains(projects, "LAB") {
		t.Errorf("the sandbox connection's projects: %q", projects)
	}

	// The wizard's agent reaches the lab site's issues.
	agent := newMCPSession(t, base, tok)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var req mcpgo.CallToolRequest
	req.Params.Name = "atlassian_jira_search"
	req.Params.Arguments = map[string]any{"jql": "project = LAB ORDER BY key"}
	res, err := agent.c.CallTool(ctx, req)
	if err != nil || res.IsError {
		t.Fatalf("jira_search on the lab site: %v %+v", err, res)
	}
	if text := mcpgo.GetTextFromContent(res.Content[0]); !strings.Contains(text, "LAB-1") || strings.Contains(text, "ENG-") {
		t.Errorf("jira_search on the lab site answers:\n%s", text)
	}
	b.noProblems()
}
