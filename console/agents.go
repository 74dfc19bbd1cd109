package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

// toolGroup is one product's tools, as checkboxes.
type toolGroup struct {
	Product string
	Tools   []toolBox
}

type toolBox struct {
	Name    string
	Checked bool
	// Allowed is false when the agent's policy does not name the tool.
	Allowed bool
}

// groupTools returns the eight tools grouped by product (Jira 5,
// Confluence 3), checked as id has them.
func groupTools(id *gateway.Identity) []toolGroup {
	groups := []toolGroup{{Product: "jira"}, {Product: "confluence"}}
	for _, n := range gateway.ToolNames() {
		g := &groups[0]
		if strings.HasPrefix(n, "atlassian_confluence_") {
			g = &groups[1]
		}
		tb := toolBox{Name: n, Allowed: true, Checked: true}
		if id != nil {
			_, tb.Allowed = id.Policy[n]
			tb.Checked = id.Assigned(n)
		}
		g.Tools = append(g.Tools, tb)
	}
	return groups
}

type agentRow struct {
	Agent  *gateway.AgentConfig
	Groups []toolGroup
	Err    string
}

type agentsView struct {
	Agents   []agentRow
	Tenants  []string
	Profiles []string
	Tiers    []string
	Groups   []toolGroup
	// NewToken is the token of an agent just added: shown once.
	NewToken string
	NewAgent string
	// Form keeps the add form's values after a refusal.
	Form map[string]string
}

func (c *Console) agentsView() (*agentsView, error) {
	cfg, err := c.opts.Backend.Config()
	if err != nil {
		return nil, err
	}
	v := &agentsView{Tenants: cfg.TenantNames(), Tiers: []string{"internal", "vip", "external"}, Groups: groupTools(nil)}
	v.Profiles = []string{gateway.ProfileAICOS, gateway.ProfileAssistant}
	var custom []string
	for n := range cfg.Policies {
		custom = append(custom, n)
	}
	sort.Strings(custom)
	v.Profiles = append(v.Profiles, custom...)
	for _, a := range cfg.Agents {
		row := agentRow{Agent: a}
		id, err := cfg.Identity(a)
		if err != nil {
			row.Err = err.Error()
		}
		row.Groups = groupTools(id)
		v.Agents = append(v.Agents, row)
	}
	return v, nil
}

func (c *Console) agentsPage(w http.ResponseWriter, r *http.Request) {
	v, err := c.agentsView()
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "The agents config could not be read: "+err.Error())
		return
	}
	c.render(w, r, http.StatusOK, "agents", "", view{Title: "Agents and tools", Nav: "agents", Data: v})
}

// formTools reads the checked tools of a form: every value must be one of
// the eight, and at least one must be checked.
func formTools(r *http.Request) ([]string, error) {
	tools := r.PostForm["tool"]
	for _, t := range tools {
		if !slices.Contains(gateway.ToolNames(), t) {
			return nil, fmt.Errorf("%q is not one of the eight tools", t)
		}
	}
	if len(tools) == 0 {
		return nil, errors.New("check at least one tool (an agent without tools cannot do anything: remove it instead)")
	}
	slices.Sort(tools)
	return slices.Compact(tools), nil
}

// storedTools is what the config keeps: nil when the agent has every tool
// its policy names (so it follows the policy), else the list.
func storedTools(cfg *gateway.Config, a *gateway.AgentConfig, tools []string) []string {
	probe := *a
	probe.Tools = nil
	id, err := cfg.Identity(&probe)
	if err != nil {
		return tools
	}
	for n := range id.Policy {
		if !slices.Contains(tools, n) {
			return orderTools(tools)
		}
	}
	return nil
}

// orderTools puts tools in their public order.
func orderTools(tools []string) []string {
	var out []string
	for _, n := range gateway.ToolNames() {
		if slices.Contains(tools, n) {
			out = append(out, n)
		}
	}
	return out
}

func (c *Console) addAgent(w http.ResponseWriter, r *http.Request) {
	form := map[string]string{}
	for _, k := range []string{"name", "tenant", "profile", "tier"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	refuse := func(msg string) {
		v, err := c.agentsView()
		if err != nil {
			c.fail(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		v.Form = form
		c.render(w, r, http.StatusBadRequest, "agents", "", view{Title: "Agents and tools", Nav: "agents", Error: msg + " Nothing was changed.", Data: v})
	}
	tools, err := formTools(r)
	if err != nil {
		refuse("Cannot add the agent: " + err.Error() + ".")
		return
	}
	tier, err := gateway.ParseTier(form["tier"])
	if err != nil {
		refuse("Cannot add the agent: default " + err.Error() + ".")
		return
	}
	token, hash, err := gateway.NewToken()
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	err = c.opts.Backend.UpdateConfig(func(cfg *gateway.Config) error {
		if cfg.Agent(form["name"]) != nil {
			return fmt.Errorf("an agent called %q exists already", form["name"])
		}
		if _, ok := cfg.Tenants[form["tenant"]]; !ok {
			return fmt.Errorf("tenant %q is not in the config; the tenants are %s", form["tenant"], strings.Join(cfg.TenantNames(), ", "))
		}
		a := &gateway.AgentConfig{Name: form["name"], TokenSHA256: hash, Tenant: form["tenant"], Profile: form["profile"], DefaultTier: tier}
		a.Tools = storedTools(cfg, a, tools)
		cfg.Agents = append(cfg.Agents, a)
		return nil
	})
	if err != nil {
		refuse("Cannot add the agent: " + err.Error() + ".")
		return
	}
	c.log.Info("console: agent added", "agent", form["name"], "tenant", form["tenant"])
	v, err := c.agentsView()
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	v.NewToken, v.NewAgent = token, form["name"]
	c.render(w, r, http.StatusOK, "agents", "", view{Title: "Agents and tools", Nav: "agents",
		Flash: "Agent " + form["name"] + " added; it can call /mcp now.", Data: v})
}

func (c *Console) setAgentTools(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	tools, err := formTools(r)
	if err == nil {
		err = c.opts.Backend.UpdateConfig(func(cfg *gateway.Config) error {
			a := cfg.Agent(name)
			if a == nil {
				return fmt.Errorf("there is no agent %q", name)
			}
			a.Tools = storedTools(cfg, a, tools)
			return nil
		})
	}
	if err != nil {
		v, verr := c.agentsView()
		if verr != nil {
			c.fail(w, r, http.StatusInternalServerError, verr.Error())
			return
		}
		c.render(w, r, http.StatusBadRequest, "agents", "", view{Title: "Agents and tools", Nav: "agents",
			Error: "Cannot change the tools of " + name + ": " + err.Error() + ". Nothing was changed.", Data: v})
		return
	}
	c.log.Info("console: agent tools changed", "agent", name, "tools", len(tools))
	setFlash(r, "Tools of "+name+" saved; its MCP clients were told the tool list changed.")
	http.Redirect(w, r, prefix+"/agents", http.StatusSeeOther)
}

func (c *Console) removeAgent(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	err := c.opts.Backend.UpdateConfig(func(cfg *gateway.Config) error {
		i := slices.IndexFunc(cfg.Agents, func(a *gateway.AgentConfig) bool { return a.Name == name })
		if i < 0 {
			return fmt.Errorf("there is no agent %q", name)
		}
		cfg.Agents = slices.Delete(cfg.Agents, i, i+1)
		return nil
	})
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, "Cannot remove the agent: "+err.Error()+". Nothing was changed.")
		return
	}
	c.log.Info("console: agent removed", "agent", name)
	setFlash(r, "Agent "+name+" removed; its token no longer works.")
	http.Redirect(w, r, prefix+"/agents", http.StatusSeeOther)
}
