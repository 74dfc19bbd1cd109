package sandbox

import (
	"encoding/json"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox/internal/jql"
)

// jqlView is the flattened view of an issue the JQL engine matches.
type jqlView = jql.Issue

// jqlState is the Jira state's JQL side: the cached environment and the
// engine's view of each user.
type jqlState struct {
	env   *jql.Env                  // the part that changes only with the configuration
	users map[string]*jql.User      // account id -> the engine's user
	locs  map[string]*time.Location // account id -> time zone
}

func (j *jiraState) initUsers(users []*User) {
	j.jq.users = map[string]*jql.User{}
	j.jq.locs = map[string]*time.Location{}
	for _, u := range users {
		j.jq.users[u.AccountID] = &jql.User{AccountID: u.AccountID, DisplayName: u.DisplayName, Email: u.Email}
		if loc, err := time.LoadLocation(u.TimeZone); err == nil {
			j.jq.locs[u.AccountID] = loc
		}
	}
}

// refreshView rebuilds is's JQL view. Call it (under s.mu) after every
// write to is.
func (j *jiraState) refreshView(is *jIssue) {
	v := is.view
	if v == nil {
		v = &jql.Issue{}
		is.view = v
	}
	*v = jql.Issue{
		ID:             int64(is.ID),
		Key:            is.Key,
		ProjectID:      is.Project.ID,
		ProjectKey:     is.Project.Key,
		ProjectName:    is.Project.Name,
		IssueType:      is.Type.Name,
		Subtask:        is.Type.Subtask,
		Status:         is.Status.Name,
		StatusCategory: is.Status.Cat.Key,
		Assignee:       j.jqlUser(is.Assignee),
		Reporter:       j.jqlUser(is.Reporter),
		Creator:        j.jqlUser(is.Creator),
		Labels:         is.Labels,
		Summary:        is.Summary,
		Description:    j.adfText(is.Description),
		Environment:    j.adfText(is.Environment),
		Created:        is.Created,
		Updated:        is.Updated,
		Resolved:       is.Resolved,
		Watchers:       is.Watchers,
		Custom:         map[string]any{},
	}
	if is.Priority != nil {
		v.Priority = is.Priority.Name
	}
	if is.Resolution != nil {
		v.Resolution = is.Resolution.Name
	}
	if is.Parent != nil {
		v.Parent = is.Parent.Key
	}
	if is.Due != "" {
		if t, err := time.Parse("2006-01-02", is.Due); err == nil {
			v.Due = t
		}
	}
	for _, c := range is.Components {
		v.Components = append(v.Components, c.Name)
	}
	for _, l := range is.Links {
		if l.Inward == is {
			v.Links = append(v.Links, jql.Link{Type: l.Type.Name, Phrase: l.Type.Outward, Key: l.Outward.Key})
		} else {
			v.Links = append(v.Links, jql.Link{Type: l.Type.Name, Phrase: l.Type.Inward, Key: l.Inward.Key})
		}
	}
	for _, fv := range is.FixVersions {
		v.FixVersions = append(v.FixVersions, fv.Name)
	}
	for _, c := range is.Comments {
		if c.Text == "" {
			c.Text = j.adfText(c.Body)
		}
		v.Comments = append(v.Comments, c.Text)
	}
	for id, val := range is.Custom {
		switch x := val.(type) {
		case float64:
			v.Custom[id] = x
		case string:
			if f := j.fieldByID[id]; f != nil && f.Kind == fkDate {
				if t, err := time.Parse("2006-01-02", x); err == nil {
					v.Custom[id] = t
					continue
				}
			}
			v.Custom[id] = x
		case json.RawMessage:
			v.Custom[id] = j.adfText(x)
		case *jOption:
			v.Custom[id] = x.Value
		case []*jOption:
			vals := make([]string, len(x))
			for i, o := range x {
				vals[i] = o.Value
			}
			v.Custom[id] = vals
		case []*jSprint:
			sps := make([]jql.Sprint, len(x))
			for i, sp := range x {
				sps[i] = jql.Sprint{ID: sp.ID, Name: sp.Name, State: sp.State}
			}
			v.Sprints = sps
			v.Custom[id] = sps
		}
	}
}

// jqlUser resolves an account id for the view (users are immutable, so the
// pointer is cached per account).
func (j *jiraState) jqlUser(id string) *jql.User {
	if id == "" {
		return nil
	}
	if u, ok := j.jq.users[id]; ok {
		return u
	}
	return &jql.User{AccountID: id}
}

// jqlEnv returns the search environment for caller accountID at now.
func (s *Server) jqlEnv(j *jiraState, accountID string) *jql.Env {
	if j.jq.env == nil {
		env := jql.Env{}
		for _, f := range j.fields {
			if !f.Custom {
				continue
			}
			t := f.SchemaType
			switch f.Kind {
			case fkSprint:
				t = "sprint"
			case fkMultiOpt:
				t = "array"
			case fkTextArea, fkTextField:
				t = "string"
			}
			env.Fields = append(env.Fields, jql.Field{ID: f.ID, Name: f.Name, Type: t})
		}
		for _, p := range j.projects {
			env.Projects = append(env.Projects, jql.ProjectRef{ID: p.ID, Key: p.Key, Name: p.Name})
		}
		for _, st := range j.statuses {
			env.Statuses = append(env.Statuses, st.Name)
		}
		for _, it := range j.issueTypes {
			env.IssueTypes = append(env.IssueTypes, it.Name)
		}
		for _, p := range j.priorities {
			env.Priorities = append(env.Priorities, p.Name)
		}
		for _, r := range j.resolutions {
			env.Resolutions = append(env.Resolutions, r.Name)
		}
		for _, sp := range j.sprints {
			env.Sprints = append(env.Sprints, jql.Sprint{ID: sp.ID, Name: sp.Name, State: sp.State})
		}
		for _, u := range s.users {
			env.Users = append(env.Users, jql.User{AccountID: u.AccountID, DisplayName: u.DisplayName, Email: u.Email})
		}
		env.IssueExists = func(key string) bool { return j.issue(key) != nil }
		env.IssueTypeIDs, env.StatusIDs, env.PriorityIDs, env.ResolutionIDs = map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
		for _, it := range j.issueTypes {
			env.IssueTypeIDs[it.ID] = it.Name
		}
		for _, st := range j.statuses {
			env.StatusIDs[st.ID] = st.Name
		}
		for _, p := range j.priorities {
			env.PriorityIDs[p.ID] = p.Name
		}
		for _, r := range j.resolutions {
			env.ResolutionIDs[r.ID] = r.Name
		}
		for _, p := range j.projects {
			for _, ver := range p.Versions {
				jv := jql.Version{ProjectKey: p.Key, Name: ver.Name, Released: ver.Released}
				if t, err := time.Parse("2006-01-02", ver.ReleaseDate); err == nil {
					jv.ReleaseDate = t
				}
				env.Versions = append(env.Versions, jv)
			}
		}
		// LinksOf runs during a search, under s.mu.
		env.LinksOf = func(key string) []jql.Link {
			if is := j.issue(key); is != nil && is.view != nil {
				return is.view.Links
			}
			return nil
		}
		j.jq.env = &env
	}
	env := *j.jq.env
	env.Now = s.now()
	env.CurrentUser = accountID
	env.Location = j.jq.locs[accountID]
	return &env
}

// adfText is jAdfText memoised for small documents, which generated sites
// share between many issues.
func (j *jiraState) adfText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	if len(raw) > 2048 {
		return jAdfText(raw)
	}
	if t, ok := j.textCache[string(raw)]; ok {
		return t
	}
	if j.textCache == nil || len(j.textCache) > 4096 {
		j.textCache = map[string]string{}
	}
	t := jAdfText(raw)
	j.textCache[string(raw)] = t
	return t
}
