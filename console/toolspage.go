package console

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// toolView is one tool as an agent's LLM sees it in tools/list.
type toolView struct {
	Name, Title, Kind, Product string
	Description                string
	// DescBytes is the description's size; DefBytes the whole definition's
	// (name, description, schemas, annotations) as tools/list sends it.
	DescBytes, DefBytes int
	// Offered is false when the site lacks the tool's product.
	Offered bool
	// Agents are the agents of the connection's tenants assigned the tool.
	Agents []string
}

type toolsView struct {
	Connections []string
	Connection  string
	Snapshot    *schema.Snapshot
	Tools       []toolView
	TotalDesc   int
	TotalDef    int
}

func (c *Console) toolsPage(w http.ResponseWriter, r *http.Request) {
	names, name, err := c.pickConnection(r)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "The connections could not be read: "+err.Error())
		return
	}
	v := &toolsView{Connections: names, Connection: name}
	var products []atlassian.Product
	if name != "" {
		v.Snapshot = c.opts.Backend.Snapshot(name)
		if v.Snapshot != nil {
			products = v.Snapshot.Products
		}
		if conns, err := c.opts.Backend.Connections(); err == nil {
			for _, conn := range conns {
				if conn.Name == name && products == nil {
					for _, p := range conn.Products {
						products = append(products, atlassian.Product(p.Name))
					}
				}
			}
		}
	}
	cfg, _ := c.opts.Backend.Config()
	for _, t := range mcp.AllTools(&mcp.Deps{}) {
		def := t.Definition(v.Snapshot)
		raw, err := json.Marshal(def)
		if err != nil {
			c.fail(w, r, http.StatusInternalServerError, "A tool definition could not be encoded: "+err.Error())
			return
		}
		tv := toolView{Name: t.Name, Title: t.Title, Kind: t.Kind.String(), Product: string(t.Product),
			Description: def.Description, DescBytes: len(def.Description), DefBytes: len(raw),
			Offered: slices.Contains(products, t.Product)}
		if cfg != nil {
			for _, a := range cfg.Agents {
				if cfg.ConnectionOf(a.Tenant) != name {
					continue
				}
				if id, err := cfg.Identity(a); err == nil && id.Assigned(t.Name) {
					tv.Agents = append(tv.Agents, a.Name)
				}
			}
		}
		if tv.Offered {
			v.TotalDesc += tv.DescBytes
			v.TotalDef += tv.DefBytes
		}
		v.Tools = append(v.Tools, tv)
	}
	c.render(w, r, http.StatusOK, "tools", "", view{Title: "Tools", Nav: "tools", Data: v})
}
