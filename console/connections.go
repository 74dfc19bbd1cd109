package console

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/hub"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Time limits of the console's live calls.
const (
	checkTimeout      = 20 * time.Second
	refreshTimeout    = 5 * time.Minute
	disconnectTimeout = 30 * time.Second
)

// connView is one connection card.
type connView struct {
	Conn     tokenstore.Connection
	Snapshot *schema.Snapshot
	Tenants  []string
	// Agents are the agents of those tenants.
	Agents []string
}

// connectionView returns the card of the named connection, or nil.
func (c *Console) connectionView(name string) (*connView, error) {
	conns, err := c.opts.Backend.Connections()
	if err != nil {
		return nil, err
	}
	for _, conn := range conns {
		if conn.Name == name {
			return c.card(conn), nil
		}
	}
	return nil, nil
}

func (c *Console) card(conn tokenstore.Connection) *connView {
	v := &connView{Conn: conn, Snapshot: c.opts.Backend.Snapshot(conn.Name)}
	if cfg, err := c.opts.Backend.Config(); err == nil && cfg != nil {
		for _, t := range cfg.TenantNames() {
			if cfg.ConnectionOf(t) == conn.Name {
				v.Tenants = append(v.Tenants, t)
			}
		}
		for _, a := range cfg.Agents {
			if slices.Contains(v.Tenants, a.Tenant) {
				v.Agents = append(v.Agents, a.Name)
			}
		}
	}
	return v
}

func (c *Console) connectionsPage(w http.ResponseWriter, r *http.Request) {
	conns, err := c.opts.Backend.Connections()
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "The connections could not be read: "+err.Error())
		return
	}
	var cards []*connView
	for _, conn := range conns {
		cards = append(cards, c.card(conn))
	}
	c.render(w, r, http.StatusOK, "connections", "", view{Title: "Connections", Nav: "connections", Data: cards})
}

// healthFragment checks the connection live and renders its status and
// product indicators.
func (c *Console) healthFragment(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if tokenstore.ValidateName(name) != nil {
		http.Error(w, "no such connection", http.StatusNotFound)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
	defer cancel()
	h := c.opts.Backend.Check(ctx, name)
	c.render(w, r, http.StatusOK, "connections", "health", view{Data: h})
}

type disconnectedView struct {
	*hub.Disconnected
	Caveat string
	// Agents are the agents that lost the connection's tools.
	Agents []string
}

// refreshView is the result of a schema refresh.
type refreshView struct {
	Name     string
	Err      string
	Snapshot *schema.Snapshot
	Counts   []count
}

type count struct {
	Label string
	N     int
}

// snapshotCounts summarises a snapshot for the refresh result.
func snapshotCounts(s *schema.Snapshot) []count {
	if s == nil {
		return nil
	}
	var out []count
	if j := s.Jira; j != nil {
		types, statuses := 0, 0
		for _, p := range j.Projects {
			types += len(p.IssueTypes)
			for _, t := range p.IssueTypes {
				statuses += len(t.Statuses)
			}
		}
		out = append(out, count{"projects", len(j.Projects)}, count{"issue types", types},
			count{"custom fields", len(s.CustomFields())}, count{"priorities", len(j.Priorities)},
			count{"workflow statuses", statuses}, count{"link types", len(j.LinkTypes)})
	}
	if cf := s.Confluence; cf != nil {
		out = append(out, count{"spaces", len(cf.Spaces)})
	}
	return out
}

func (c *Console) refresh(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if v, err := c.connectionView(name); err != nil || v == nil {
		c.fail(w, r, http.StatusNotFound, fmt.Sprintf("There is no connection %q to refresh.", name))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), refreshTimeout)
	defer cancel()
	rv := refreshView{Name: name}
	snap, err := c.opts.Backend.RefreshSchema(ctx, name)
	if err != nil {
		rv.Err = err.Error()
	} else {
		rv.Snapshot, rv.Counts = snap, snapshotCounts(snap)
		c.log.Info("console: schema refreshed", "connection", name)
	}
	if r.Header.Get("HX-Request") == "true" {
		c.render(w, r, http.StatusOK, "connections", "refresh", view{Data: rv})
		return
	}
	c.render(w, r, http.StatusOK, "refreshed", "", view{Title: "Schema refreshed", Nav: "connections", Data: rv})
}

func (c *Console) disconnectConfirm(w http.ResponseWriter, r *http.Request) {
	v, err := c.connectionView(r.PathValue("name"))
	if err != nil || v == nil {
		c.fail(w, r, http.StatusNotFound, fmt.Sprintf("There is no connection %q.", r.PathValue("name")))
		return
	}
	c.render(w, r, http.StatusOK, "disconnect", "", view{Title: "Disconnect " + v.Conn.Site.Name, Nav: "connections", Data: v})
}

func (c *Console) disconnect(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	v, err := c.connectionView(name)
	if err != nil || v == nil {
		c.fail(w, r, http.StatusNotFound, fmt.Sprintf("There is no connection %q; nothing was changed.", name))
		return
	}
	if r.PostFormValue("confirm") != v.Conn.Site.Name {
		c.render(w, r, http.StatusBadRequest, "disconnect", "", view{Title: "Disconnect " + v.Conn.Site.Name, Nav: "connections",
			Error: "Type the site name " + v.Conn.Site.Name + " to confirm; nothing was changed.", Data: v})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), disconnectTimeout)
	defer cancel()
	res, err := c.opts.Backend.Disconnect(ctx, name)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Disconnecting failed: "+err.Error())
		return
	}
	c.log.Info("console: disconnected", "connection", name)
	c.render(w, r, http.StatusOK, "disconnected", "", view{Title: "Disconnected " + res.Connection.Site.Name, Nav: "connections",
		Data: disconnectedView{Disconnected: res, Caveat: hub.RevocationCaveat, Agents: v.Agents}})
}
