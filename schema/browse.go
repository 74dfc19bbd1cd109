package schema

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
)

// WriteText prints the snapshot as the schema browser shows it: projects,
// issue types per project, statuses per project and issue type with their
// categories, custom fields, priorities, link types and spaces, then what
// discovery could not read.
func WriteText(w io.Writer, s *Snapshot) error {
	ew := &errWriter{w: w}
	if s == nil {
		ew.printf("No schema discovered yet: run 'atlassian-mcp schema refresh'.\n")
		return ew.err
	}
	site := s.SiteName
	if s.SiteURL != "" {
		site += " (" + s.SiteURL + ")"
	}
	ew.printf("Site: %s\n", strings.TrimSpace(site))
	ew.printf("Products: %s\n", orNone(joinProducts(s.Products)))
	ew.printf("Schema last refreshed: %s (took %s)\n", s.RefreshedAt.UTC().Format(time.RFC3339), s.Duration.Round(time.Millisecond))

	if j := s.Jira; j != nil {
		ew.printf("\nProjects\n")
		for _, p := range j.Projects {
			ew.printf("  %s - %s\n", p.Key, p.Name)
		}
		ew.printf("\nIssue types\n")
		for _, p := range j.Projects {
			ew.printf("  %s (%s)\n", p.Name, p.Key)
			for _, t := range p.IssueTypes {
				suffix := ""
				if t.Subtask {
					suffix = " (sub-task)"
				}
				ew.printf("  |- %s%s\n", t.Name, suffix)
			}
		}
		ew.printf("\nStatuses\n")
		for _, p := range j.Projects {
			for _, t := range p.IssueTypes {
				if len(t.Statuses) == 0 {
					continue
				}
				ew.printf("  %s > %s\n", p.Name, t.Name)
				for _, st := range t.Statuses {
					ew.printf("  |- %s (%s)\n", st.Name, st.Category)
				}
			}
		}
		ew.printf("\nCustom fields\n")
		if fields := s.CustomFields(); len(fields) == 0 {
			ew.printf("  (none)\n")
		} else {
			tw := tabwriter.NewWriter(ew, 0, 0, 3, ' ', 0)
			fmt.Fprintf(tw, "  ID\tName\tType\n")
			for _, f := range fields {
				typ := f.Type
				if f.Items != "" {
					typ += " of " + f.Items
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.ID, f.Name, typ)
			}
			_ = tw.Flush()
		}
		names := make([]string, len(j.Priorities))
		for i, p := range j.Priorities {
			names[i] = p.Name
		}
		ew.printf("\nPriorities: %s\n", orNone(strings.Join(names, ", ")))
		for _, p := range j.Projects {
			if len(p.Priorities) > 0 {
				ew.printf("  %s uses its own scheme: %s\n", p.Key, strings.Join(p.Priorities, ", "))
			}
		}
		links := make([]string, len(j.LinkTypes))
		for i, lt := range j.LinkTypes {
			links[i] = fmt.Sprintf("%s (%s / %s)", lt.Name, lt.Outward, lt.Inward)
		}
		ew.printf("Link types: %s\n", orNone(strings.Join(links, ", ")))
	}
	if c := s.Confluence; c != nil {
		spaces := make([]string, len(c.Spaces))
		for i, sp := range c.Spaces {
			spaces[i] = sp.Key + " - " + sp.Name
		}
		ew.printf("\nSpaces: %s\n", orNone(strings.Join(spaces, ", ")))
		if c.MoreSpaces {
			ew.printf("  (the site has more spaces than the %d listed)\n", len(c.Spaces))
		}
	}
	if len(s.Failures) > 0 {
		ew.printf("\nNot discovered (the snapshot is partial)\n")
		for _, f := range s.Failures {
			ew.printf("  %s: %s\n", f.Scope, f.Reason)
		}
	}
	return ew.err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// errWriter remembers the first write error so printing code stays flat.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	fmt.Fprintf(e, format, args...)
}

// joinProducts lists products comma-separated.
func joinProducts(ps []atlassian.Product) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}
