package jql

import (
	"strings"
	"time"
)

type kind uint8

const (
	kProject kind = iota
	kKey
	kParent
	kIssueType
	kStatus
	kStatusCategory
	kPriority
	kResolution
	kUser
	kWatcher
	kWatchers
	kStrings
	kText
	kTextAll
	kDate
	kNumber
	kSprint
	kRank
	kVersion
	kLinkType
)

type opSet uint32

const (
	opsEq   opSet = 1<<OpEq | 1<<OpNe | 1<<OpIn | 1<<OpNotIn
	opsIs   opSet = 1<<OpIs | 1<<OpIsNot
	opsRel  opSet = 1<<OpLt | 1<<OpGt | 1<<OpLe | 1<<OpGe
	opsLike opSet = 1<<OpLike | 1<<OpNotLike
)

// fieldDef is a resolved field: how to read it from an Issue and what it
// supports.
type fieldDef struct {
	name   string // as written, for messages
	canon  string // the field behind the name: aliases share it
	kind   kind
	ops    opSet
	noSort bool

	vals     textSource          // string values (names, labels, keys); none = empty
	str      func(*Issue) string // the one value of a single-valued name field
	text     textSource          // free text for ~
	user     func(*Issue) *User
	date     func(*Issue) (time.Time, bool)
	num      func(*Issue) (float64, bool)
	sprints  func(*Issue) []Sprint
	dateOnly bool
	// validation list for name fields (nil: accept anything)
	known []string
	ids   map[string]string // id -> name for name fields
}

func one(s string) (string, bool) { return s, s != "" }

func single(get func(*Issue) string) textSource {
	return func(is *Issue, k int) (string, bool) {
		if k != 0 {
			return "", false
		}
		return one(get(is))
	}
}

func multi(get func(*Issue) []string) textSource {
	return func(is *Issue, k int) (string, bool) {
		l := get(is)
		if k >= len(l) {
			return "", false
		}
		return l[k], true
	}
}

func timeField(get func(*Issue) time.Time) func(*Issue) (time.Time, bool) {
	return func(is *Issue) (time.Time, bool) {
		t := get(is)
		return t, !t.IsZero()
	}
}

// unsupportedFields are real Jira fields the sandbox does not model.
var unsupportedFields = map[string]bool{
	"affectedversion": true, "attachments": true, "category": true, "epic link": true, "filter": true,
	"issuefunction": true, "lastviewed": true, "level": true, "originalestimate": true,
	"remainingestimate": true, "request": true, "savedfilter": true, "subtasks": true, "timeestimate": true,
	"timeoriginalestimate": true, "timespent": true, "voter": true, "votes": true, "workratio": true,
	"worklogauthor": true, "worklogcomment": true, "worklogdate": true, "issue.property": true,
}

// systemField resolves a system field name (lower case) written as name.
func (c *compiler) systemField(lname, name string) *fieldDef {
	env := c.env
	f := &fieldDef{name: name}
	switch lname {
	case "project":
		f.kind, f.ops = kProject, opsEq|opsIs
	case "key", "issuekey", "id", "issue":
		f.kind, f.ops = kKey, opsEq|opsRel
		f.vals = single(func(is *Issue) string { return is.Key })
	case "parent":
		f.kind, f.ops = kParent, opsEq
		f.vals = single(func(is *Issue) string { return is.Parent })
	case "issuetype", "type":
		f.kind, f.ops, f.known, f.ids = kIssueType, opsEq|opsIs, env.IssueTypes, env.IssueTypeIDs
		f.str = func(is *Issue) string { return is.IssueType }
		f.vals = single(f.str)
	case "status":
		f.kind, f.ops, f.known, f.ids = kStatus, opsEq|opsIs, env.Statuses, env.StatusIDs
		f.str = func(is *Issue) string { return is.Status }
		f.vals = single(f.str)
	case "statuscategory":
		f.kind, f.ops = kStatusCategory, opsEq|opsIs
		f.str = func(is *Issue) string { return is.StatusCategory }
		f.vals = single(f.str)
	case "priority":
		f.kind, f.ops, f.known, f.ids = kPriority, opsEq|opsIs|opsRel, env.Priorities, env.PriorityIDs
		f.str = func(is *Issue) string { return is.Priority }
		f.vals = single(f.str)
	case "resolution":
		f.kind, f.ops, f.known, f.ids = kResolution, opsEq|opsIs, env.Resolutions, env.ResolutionIDs
		f.str = func(is *Issue) string { return is.Resolution }
		f.vals = single(f.str)
	case "assignee":
		f.kind, f.ops = kUser, opsEq|opsIs
		f.user = func(is *Issue) *User { return is.Assignee }
	case "reporter":
		f.kind, f.ops = kUser, opsEq|opsIs
		f.user = func(is *Issue) *User { return is.Reporter }
	case "creator":
		f.kind, f.ops = kUser, opsEq|opsIs
		f.user = func(is *Issue) *User { return is.Creator }
	case "watcher":
		f.kind, f.ops, f.noSort = kWatcher, opsEq|opsIs, true
		f.vals = multi(func(is *Issue) []string { return is.Watchers })
	case "watchers":
		f.kind, f.ops = kWatchers, opsEq|opsRel
		f.num = func(is *Issue) (float64, bool) { return float64(len(is.Watchers)), true }
	case "labels":
		f.kind, f.ops = kStrings, opsEq|opsIs
		f.vals = multi(func(is *Issue) []string { return is.Labels })
	case "component":
		f.kind, f.ops = kStrings, opsEq|opsIs
		f.vals = multi(func(is *Issue) []string { return is.Components })
	case "fixversion":
		f.kind, f.ops = kVersion, opsEq|opsIs
		f.vals = multi(func(is *Issue) []string { return is.FixVersions })
	case "summary":
		f.kind, f.ops = kText, opsLike|opsIs
		f.text = single(func(is *Issue) string { return is.Summary })
	case "description":
		f.kind, f.ops, f.noSort = kText, opsLike|opsIs, true
		f.text = single(func(is *Issue) string { return is.Description })
	case "environment":
		f.kind, f.ops, f.noSort = kText, opsLike|opsIs, true
		f.text = single(func(is *Issue) string { return is.Environment })
	case "comment":
		f.kind, f.ops, f.noSort = kText, 1<<OpLike|1<<OpNotLike, true
		f.text = multi(func(is *Issue) []string { return is.Comments })
	case "text":
		f.kind, f.ops, f.noSort = kTextAll, 1<<OpLike, true
		f.text = c.allText()
	case "created", "createddate":
		f.kind, f.ops = kDate, opsEq|opsIs|opsRel
		f.date = timeField(func(is *Issue) time.Time { return is.Created })
	case "updated", "updateddate":
		f.kind, f.ops = kDate, opsEq|opsIs|opsRel
		f.date = timeField(func(is *Issue) time.Time { return is.Updated })
	case "resolved", "resolutiondate":
		f.kind, f.ops = kDate, opsEq|opsIs|opsRel
		f.date = timeField(func(is *Issue) time.Time { return is.Resolved })
	case "due", "duedate":
		f.kind, f.ops, f.dateOnly = kDate, opsEq|opsIs|opsRel, true
		loc := c.loc
		f.date = func(is *Issue) (time.Time, bool) {
			if is.Due.IsZero() {
				return time.Time{}, false
			}
			return dayStart(is.Due, loc), true
		}
	case "sprint":
		f.kind, f.ops = kSprint, opsEq|opsIs
		f.sprints = func(is *Issue) []Sprint { return is.Sprints }
	case "issuelinktype":
		f.kind, f.ops, f.noSort = kLinkType, opsEq, true
	case "rank":
		f.kind = kRank
	default:
		return nil
	}
	f.canon = lname
	if c, ok := canonical[lname]; ok {
		f.canon = c
	}
	return f
}

// canonical maps field aliases to one name.
var canonical = map[string]string{
	"key": "issuekey", "id": "issuekey", "issue": "issuekey", "type": "issuetype",
	"createddate": "created", "updateddate": "updated", "resolved": "resolutiondate", "due": "duedate",
}

// allText is the source of `text ~`: summary, description, environment,
// comments and every free-text custom field.
func (c *compiler) allText() textSource {
	var ids []string
	for _, fd := range c.env.Fields {
		if fd.Type == "string" {
			ids = append(ids, fd.ID)
		}
	}
	return func(is *Issue, k int) (string, bool) {
		switch k {
		case 0:
			return is.Summary, true
		case 1:
			return is.Description, true
		case 2:
			return is.Environment, true
		}
		k -= 3
		if k < len(is.Comments) {
			return is.Comments[k], true
		}
		k -= len(is.Comments)
		if k < len(ids) {
			s, _ := is.Custom[ids[k]].(string)
			return s, true
		}
		return "", false
	}
}

// customField builds the definition of a custom field known to the site.
func (c *compiler) customField(fd Field, name string) *fieldDef {
	loc := c.loc
	id := fd.ID
	f := &fieldDef{name: name, canon: id}
	switch fd.Type {
	case "number":
		f.kind, f.ops = kNumber, opsEq|opsIs|opsRel
		f.num = func(is *Issue) (float64, bool) { return toFloat(is.Custom[id]) }
	case "string":
		f.kind, f.ops = kText, opsLike|opsIs
		f.text = func(is *Issue, k int) (string, bool) {
			if k != 0 {
				return "", false
			}
			s, _ := is.Custom[id].(string)
			return s, true
		}
	case "option", "array":
		f.kind, f.ops = kStrings, opsEq|opsIs
		f.vals = func(is *Issue, k int) (string, bool) { return customString(is.Custom[id], k) }
	case "date", "datetime":
		f.kind, f.ops = kDate, opsEq|opsIs|opsRel
		f.dateOnly = fd.Type == "date"
		f.date = func(is *Issue) (time.Time, bool) {
			var t time.Time
			switch v := is.Custom[id].(type) {
			case time.Time:
				t = v
			case string: // as the REST API writes it
				var err error
				if t, err = time.Parse("2006-01-02T15:04:05.000-0700", v); err != nil {
					if t, err = time.Parse(time.RFC3339, v); err != nil {
						t, _ = time.Parse("2006-01-02", v)
					}
				}
			}
			if t.IsZero() {
				return time.Time{}, false
			}
			if fd.Type == "date" {
				return dayStart(t, loc), true
			}
			return t, true
		}
	case "user":
		f.kind, f.ops = kUser, opsEq|opsIs
		byID := c.usersByID()
		f.user = func(is *Issue) *User {
			switch u := is.Custom[id].(type) {
			case *User:
				return u
			case string: // an account id
				return byID[u]
			}
			return nil
		}
	case "sprint":
		f.kind, f.ops = kSprint, opsEq|opsIs
		f.sprints = func(is *Issue) []Sprint {
			if s, ok := is.Custom[id].([]Sprint); ok {
				return s
			}
			return is.Sprints
		}
	default:
		f.kind, f.ops = kStrings, opsEq|opsIs
		f.vals = func(is *Issue, k int) (string, bool) { return customString(is.Custom[id], k) }
	}
	return f
}

// usersByID maps the site's account ids to users, built once per compile.
func (c *compiler) usersByID() map[string]*User {
	if c.users == nil {
		c.users = make(map[string]*User, len(c.env.Users))
		for i := range c.env.Users {
			u := c.env.Users[i]
			c.users[u.AccountID] = &u
		}
	}
	return c.users
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}

// customString yields the k-th string of a custom value (a string, []string
// or []any of strings).
func customString(v any, k int) (string, bool) {
	switch s := v.(type) {
	case string:
		if k == 0 && s != "" {
			return s, true
		}
	case []string:
		if k < len(s) {
			return s[k], true
		}
	case []any:
		if k < len(s) {
			str, _ := s[k].(string)
			return str, true
		}
	}
	return "", false
}

// resolveField finds a field by name or cf[N]; nil after reporting Jira's
// error when it does not exist.
func (c *compiler) resolveField(ref FieldRef, sorting bool) *fieldDef {
	lname := strings.ToLower(ref.Name)
	if ref.CF > 0 {
		id := "customfield_" + ref.Name[3:len(ref.Name)-1]
		for _, fd := range c.env.Fields {
			if fd.ID == id {
				return c.customField(fd, ref.Name)
			}
		}
	} else {
		if f := c.systemField(lname, ref.Name); f != nil {
			return f
		}
		for _, fd := range c.env.Fields {
			if strings.EqualFold(fd.Name, ref.Name) || fd.ID == lname {
				return c.customField(fd, ref.Name)
			}
		}
		if unsupportedFields[lname] || strings.HasPrefix(lname, "issue.property") {
			c.errorf("Field '%s' is not supported by the sandbox's JQL engine.", ref.Name)
			return nil
		}
	}
	if sorting {
		c.errorf("Not able to sort using field '%s'.", ref.Name)
	} else {
		c.errorf("Field '%s' does not exist or you do not have permission to view it.", ref.Name)
	}
	return nil
}
