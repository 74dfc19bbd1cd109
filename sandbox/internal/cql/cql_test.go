package cql

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	for _, l := range []string{"2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	panic("bad fixture date " + s)
}

// fixture is a small wiki: three spaces with a page tree each, one blog
// post and one personal space.
func fixture() []*Doc {
	cs := []Content{
		{ID: "1", Type: "page", SpaceKey: "ENG", SpaceType: "global", SpaceTitle: "Engineering", Title: "Engineering Home",
			Text: "Welcome to engineering.", CreatorAccountID: "acc-alice", Contributors: []string{"acc-alice"},
			Created: day("2025-06-01 10:00"), LastModified: day("2026-01-10")},
		{ID: "2", Type: "page", SpaceKey: "ENG", SpaceType: "global", SpaceTitle: "Engineering", Title: "Runbooks",
			Text: "All operational runbooks live here.", Labels: []string{"runbook"}, Ancestors: []string{"1"}, ParentID: "1",
			CreatorAccountID: "acc-bob", Contributors: []string{"acc-bob"}, Created: day("2025-06-02"), LastModified: day("2026-03-01")},
		{ID: "3", Type: "page", SpaceKey: "ENG", SpaceType: "global", SpaceTitle: "Engineering", Title: "Database failover runbook",
			Text: "Promote the replica with pg_ctl promote. Check replication lag first.", Labels: []string{"runbook", "database", "postgres"},
			Ancestors: []string{"1", "2"}, ParentID: "2", CreatorAccountID: "acc-bob", Contributors: []string{"acc-bob", "acc-alice"},
			Mentions: []string{"acc-alice"}, Macros: []string{"code", "warning"}, Watchers: []string{"acc-bob", "acc-carol"}, Favourites: []string{"acc-bob"}, Created: day("2026-02-14 09:30"), LastModified: day("2026-11-28 16:00")},
		{ID: "4", Type: "page", SpaceKey: "OPS", SpaceType: "global", SpaceTitle: "Operations", Title: "On-call policy",
			Text: "Escalate pages within 15 minutes.", Labels: []string{"oncall", "policy"}, Ancestors: []string{"10"}, ParentID: "10",
			CreatorAccountID: "acc-carol", Contributors: []string{"acc-carol"}, Created: day("2026-11-25 08:00"), LastModified: day("2026-11-29 07:00")},
		{ID: "5", Type: "page", SpaceKey: "TEAM", SpaceType: "global", SpaceTitle: "Team Space", Title: "Remote work policy",
			Text: "Employees may work remotely up to four days per week.", Labels: []string{"policy", "hr"}, Ancestors: []string{"20"}, ParentID: "20",
			CreatorAccountID: "acc-alice", Contributors: []string{"acc-alice"}, Created: day("2026-03-03"), LastModified: day("2026-06-01")},
		{ID: "6", Type: "page", SpaceKey: "TEAM", SpaceType: "global", SpaceTitle: "Team Space", Title: "Expense policy",
			Text: "Submit receipts within 30 days. Meals are reimbursed.", Labels: []string{"policy", "finance"}, Ancestors: []string{"20"}, ParentID: "20",
			CreatorAccountID: "acc-dave", Contributors: []string{"acc-dave"}, Created: day("2026-04-04"), LastModified: day("2026-11-23 10:00")},
		{ID: "7", Type: "blogpost", SpaceKey: "ENG", SpaceType: "global", SpaceTitle: "Engineering", Title: "Release notes 2.4",
			Text: "Faster search and a new dark mode.", Labels: []string{"release-notes"}, CreatorAccountID: "acc-bob",
			Contributors: []string{"acc-bob"}, Created: day("2026-11-10"), LastModified: day("2026-11-10")},
		{ID: "8", Type: "page", SpaceKey: "ENG", SpaceType: "global", SpaceTitle: "Engineering", Title: "ADR-001: Use PostgreSQL",
			Text: "We decided to use PostgreSQL for the primary store.", Labels: []string{"adr", "postgres", "architecture"},
			Ancestors: []string{"1"}, ParentID: "1", CreatorAccountID: "acc-alice", Contributors: []string{"acc-alice"},
			Created: day("2025-12-15"), LastModified: day("2026-01-31 18:00")},
		{ID: "10", Type: "page", SpaceKey: "OPS", SpaceType: "global", SpaceTitle: "Operations", Title: "Operations Home",
			Text: "How we run production.", CreatorAccountID: "acc-carol", Contributors: []string{"acc-carol"},
			Created: day("2025-06-01 11:00"), LastModified: day("2025-06-01 11:00")},
		{ID: "20", Type: "page", SpaceKey: "TEAM", SpaceType: "global", SpaceTitle: "Team Space", Title: "Team Space Home",
			Text: "Everything about working here.", CreatorAccountID: "acc-dave", Contributors: []string{"acc-dave"},
			Created: day("2025-06-01 12:00"), LastModified: day("2025-07-01")},
		{ID: "30", Type: "page", SpaceKey: "~alice", SpaceType: "personal", SpaceTitle: "Alice Example", Title: "Alice's notes",
			Text: "Scratch pad.", CreatorAccountID: "acc-alice", Contributors: []string{"acc-alice"},
			Created: day("2026-05-05"), LastModified: day("2026-05-05")},
	}
	docs := make([]*Doc, len(cs))
	for i, c := range cs {
		docs[i] = NewDoc(c)
	}
	return docs
}

var testEnv = Env{Now: day("2026-11-29 12:00"), CurrentUser: "acc-bob"} // a Sunday

func run(t *testing.T, q string) []string {
	t.Helper()
	parsed, err := Parse(q)
	if err != nil {
		t.Fatalf("Parse(%q): %v", q, err)
	}
	m, err := parsed.Compile(testEnv)
	if err != nil {
		t.Fatalf("Compile(%q): %v", q, err)
	}
	var hits []*Doc
	for _, d := range fixture() {
		if m.Match(d) {
			hits = append(hits, d)
		}
	}
	m.Sort(hits)
	ids := make([]string, len(hits))
	for i, d := range hits {
		ids[i] = d.ID
	}
	return ids
}

func TestQueries(t *testing.T) {
	tests := []struct {
		cql     string
		want    []string
		ordered bool
	}{
		{cql: `type = page`, want: []string{"1", "2", "3", "4", "5", "6", "8", "10", "20", "30"}},
		{cql: `type = blogpost`, want: []string{"7"}},
		{cql: `TYPE in (page, blogpost) and space = ENG`, want: []string{"1", "2", "3", "7", "8"}},
		{cql: `space = "OPS"`, want: []string{"4", "10"}},
		{cql: `space.key IN ("TEAM","OPS")`, want: []string{"4", "5", "6", "10", "20"}},
		{cql: `space NOT IN (ENG, "~alice")`, want: []string{"4", "5", "6", "10", "20"}},
		{cql: `space = "~alice"`, want: []string{"30"}},
		{cql: `title = "Expense policy"`, want: []string{"6"}},
		{cql: `title = "expense POLICY"`, want: []string{"6"}},
		{cql: `title ~ policy`, want: []string{"4", "5", "6"}},
		{cql: `title ~ "polic*"`, want: []string{"4", "5", "6"}},
		{cql: `title !~ policy AND space = TEAM`, want: []string{"20"}},
		{cql: `text ~ "replica"`, want: []string{"3"}},
		{cql: `text ~ "promote replica"`, want: []string{"3"}},
		{cql: `text ~ "REPLICA missingword"`, want: nil},
		{cql: `text ~ "\"four days\""`, want: []string{"5"}},
		{cql: `text ~ '"days four"'`, want: nil},
		{cql: `text ~ "postgres*"`, want: []string{"3", "8"}},
		{cql: `text ~ "r?plica"`, want: []string{"3"}},
		{cql: `text !~ policy AND space = TEAM`, want: []string{"20"}},
		{cql: `label = policy`, want: []string{"4", "5", "6"}},
		{cql: `label IN (runbook, adr)`, want: []string{"2", "3", "8"}},
		{cql: `label = policy AND label != finance`, want: []string{"4", "5"}},
		{cql: `label NOT IN (policy, runbook) AND space = ENG`, want: []string{"1", "7", "8"}},
		{cql: `label = "release-notes"`, want: []string{"7"}},
		{cql: `ancestor = 1`, want: []string{"2", "3", "8"}},
		{cql: `ancestor = "2"`, want: []string{"3"}},
		{cql: `parent = 1`, want: []string{"2", "8"}},
		{cql: `id = 3`, want: []string{"3"}},
		{cql: `id IN (3, 5, 99)`, want: []string{"3", "5"}},
		{cql: `id > 7 AND id < 20`, want: []string{"8", "10"}},
		{cql: `content = 6`, want: []string{"6"}},
		{cql: `creator = "acc-alice"`, want: []string{"1", "5", "8", "30"}},
		{cql: `creator = currentUser()`, want: []string{"2", "3", "7"}},
		{cql: `creator in (currentUser(), "acc-carol") AND type = page`, want: []string{"2", "3", "4", "10"}},
		{cql: `contributor = "acc-alice" AND space = ENG`, want: []string{"1", "3", "8"}},
		{cql: `mention = "acc-alice"`, want: []string{"3"}},
		{cql: `macro = code`, want: []string{"3"}},
		{cql: `watcher = "acc-carol"`, want: []string{"3"}},
		{cql: `favourite = currentUser()`, want: []string{"3"}},
		{cql: `favorite IN ("acc-dave")`, want: nil},
		{cql: `created >= "2026-11-01"`, want: []string{"4", "7"}},
		{cql: `created = "2026-11-25"`, want: []string{"4"}},
		{cql: `created != "2026-11-25" AND space = OPS`, want: []string{"10"}},
		{cql: `created = "2025/06/01 11:00"`, want: []string{"10"}},
		{cql: `lastmodified > now("-7d")`, want: []string{"3", "4", "6"}},
		{cql: `lastModified >= startOfWeek()`, want: []string{"4"}},
		{cql: `lastmodified >= startOfWeek("-1")`, want: []string{"3", "4", "6"}},
		{cql: `created < startOfYear()`, want: []string{"1", "2", "8", "10", "20"}},
		{cql: `created > endOfMonth("-1M")`, want: []string{"4", "7"}},
		{cql: `lastmodified <= "2026-01-31"`, want: []string{"1", "8", "10", "20"}},
		{cql: `lastmodified < "2026-01-31"`, want: []string{"1", "10", "20"}},
		{cql: `type = page AND (space = OPS OR label = adr)`, want: []string{"4", "8", "10"}},
		{cql: `NOT space = ENG AND type = page AND space.type = global`, want: []string{"4", "5", "6", "10", "20"}},
		{cql: `space.type = personal`, want: []string{"30"}},
		{cql: `space.title ~ operations`, want: []string{"4", "10"}},
		{cql: `title ~ "home" OR title ~ notes`, want: []string{"1", "7", "10", "20", "30"}},
		{cql: `space = ENG ORDER BY title ASC`, want: []string{"8", "3", "1", "7", "2"}, ordered: true},
		{cql: `space = ENG order by title desc`, want: []string{"2", "7", "1", "3", "8"}, ordered: true},
		{cql: `label = policy ORDER BY created DESC`, want: []string{"4", "6", "5"}, ordered: true},
		{cql: `space = ENG AND type = page ORDER BY id DESC`, want: []string{"8", "3", "2", "1"}, ordered: true},
		{cql: `space = OPS ORDER BY lastmodified`, want: []string{"10", "4"}, ordered: true},
		{cql: `ORDER BY created ASC, id DESC`, want: []string{"1", "10", "20", "2", "8", "3", "5", "6", "30", "7", "4"}, ordered: true},
		// Default order: relevance (title hits first), then most recent.
		{cql: `text ~ runbook`, want: []string{"3", "2"}, ordered: true},
		{cql: `text ~ policy`, want: []string{"4", "6", "5"}, ordered: true},
		// Each date operator, on a day and on a time, and negated; each id
		// range; ~ and !~ on titles (a title hit scores), space titles and
		// text; every value field, with != and IN. Ordered: the scores stay.
		{cql: "created = \"2026-11-25 08:00\"", want: []string{"4"}, ordered: true},
		{cql: "created != \"2026-11-25 08:00\"", want: []string{"3", "6", "7", "5", "30", "2", "8", "1", "20", "10"}, ordered: true},
		{cql: "created < \"2026-02-14 09:30\"", want: []string{"2", "8", "1", "20", "10"}, ordered: true},
		{cql: "created <= \"2026-02-14 09:30\"", want: []string{"3", "2", "8", "1", "20", "10"}, ordered: true},
		{cql: "created <= \"2026-02-14\"", want: []string{"3", "2", "8", "1", "20", "10"}, ordered: true},
		{cql: "created > \"2026-11-25\"", want: []string{}, ordered: true},
		{cql: "created > \"2026-11-25 07:59\"", want: []string{"4"}, ordered: true},
		{cql: "created >= \"2026-11-25 08:00\"", want: []string{"4"}, ordered: true},
		{cql: "created >= \"2026-11-25\"", want: []string{"4"}, ordered: true},
		{cql: "lastmodified = \"2026-11-28\"", want: []string{"3"}, ordered: true},
		{cql: "lastmodified != \"2026-11-28\"", want: []string{"4", "6", "7", "5", "30", "2", "8", "1", "20", "10"}, ordered: true},
		{cql: "lastmodified > \"2026-11-28 16:00\"", want: []string{"4"}, ordered: true},
		{cql: "lastmodified >= \"2026-11-28 16:00\"", want: []string{"4", "3"}, ordered: true},
		{cql: "NOT created > \"2026-11-25\"", want: []string{"4", "3", "6", "7", "5", "30", "2", "8", "1", "20", "10"}, ordered: true},
		{cql: "NOT created <= startOfYear()", want: []string{"4", "3", "6", "7", "5", "30"}, ordered: true},
		{cql: "id < 7", want: []string{"4", "3", "6", "5", "2", "1"}, ordered: true},
		{cql: "id > 7", want: []string{"30", "8", "20", "10"}, ordered: true},
		{cql: "id <= 7", want: []string{"4", "3", "6", "7", "5", "2", "1"}, ordered: true},
		{cql: "id >= 7", want: []string{"7", "30", "8", "20", "10"}, ordered: true},
		{cql: "id <= 8 AND id >= 3", want: []string{"4", "3", "6", "7", "5", "8"}, ordered: true},
		{cql: "id != 3 AND space = ENG", want: []string{"7", "2", "8", "1"}, ordered: true},
		{cql: "id NOT IN (1, 2, 3) AND space = ENG", want: []string{"7", "8"}, ordered: true},
		{cql: "content IN (3, 6)", want: []string{"3", "6"}, ordered: true},
		{cql: "content != 6 AND space = TEAM", want: []string{"5", "20"}, ordered: true},
		{cql: "title ~ policy", want: []string{"4", "6", "5"}, ordered: true},
		{cql: "title !~ policy", want: []string{"3", "7", "30", "2", "8", "1", "20", "10"}, ordered: true},
		{cql: "NOT title ~ policy", want: []string{"3", "7", "30", "2", "8", "1", "20", "10"}, ordered: true},
		{cql: "title ~ \"remote policy\"", want: []string{"5"}, ordered: true},
		{cql: "space.title ~ \"team\"", want: []string{"6", "5", "20"}, ordered: true},
		{cql: "space.title !~ team", want: []string{"4", "3", "7", "30", "2", "8", "1", "10"}, ordered: true},
		{cql: "space.title = \"team space\"", want: []string{"6", "5", "20"}, ordered: true},
		{cql: "space.title IN (\"Operations\", \"team space\")", want: []string{"4", "6", "5", "20", "10"}, ordered: true},
		{cql: "space.type != global", want: []string{"30"}, ordered: true},
		{cql: "text ~ policy OR title ~ runbook", want: []string{"4", "3", "6", "5"}, ordered: true},
		{cql: "NOT text ~ policy", want: []string{"3", "7", "30", "2", "8", "1", "20", "10"}, ordered: true},
		{cql: "text !~ runbook AND space = ENG", want: []string{"7", "8", "1"}, ordered: true},
		{cql: "text ~ runbook AND title ~ runbook", want: []string{"3"}, ordered: true},
		{cql: "parent IN (1, 20)", want: []string{"6", "5", "2", "8"}, ordered: true},
		{cql: "parent != 1 AND space = ENG", want: []string{"3", "7", "1"}, ordered: true},
		{cql: "ancestor IN (2, 10)", want: []string{"4", "3"}, ordered: true},
		{cql: "ancestor != 1 AND space = ENG", want: []string{"7", "1"}, ordered: true},
		{cql: "label IN (POLICY, HR)", want: []string{"4", "6", "5"}, ordered: true},
		{cql: "macro IN (warning, info)", want: []string{"3"}, ordered: true},
		{cql: "macro != code AND space = ENG", want: []string{"7", "2", "8", "1"}, ordered: true},
		{cql: "mention != \"acc-alice\" AND space = ENG", want: []string{"7", "2", "8", "1"}, ordered: true},
		{cql: "watcher IN (\"acc-bob\", \"acc-x\")", want: []string{"3"}, ordered: true},
		{cql: "contributor IN (\"acc-dave\", \"acc-carol\")", want: []string{"4", "6", "20", "10"}, ordered: true},
		{cql: "contributor = currentUser()", want: []string{"3", "7", "2"}, ordered: true},
		{cql: "type != page", want: []string{"7"}, ordered: true},
		{cql: "type = BLOGPOST", want: []string{"7"}, ordered: true},
		{cql: "space != ENG", want: []string{"4", "6", "5", "30", "20", "10"}, ordered: true},
		{cql: "creator != \"acc-alice\" AND type = page", want: []string{"4", "3", "6", "2", "20", "10"}, ordered: true},
		{cql: "text ~ \"***\"", want: []string{"4", "3", "6", "7", "5", "30", "2", "8", "1", "20", "10"}, ordered: true},
	}
	for _, tt := range tests {
		t.Run(tt.cql, func(t *testing.T) {
			got := run(t, tt.cql)
			want := slices.Clone(tt.want)
			if !tt.ordered {
				slices.Sort(got)
				slices.Sort(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		cql  string
		want string // substring of the message
		pos  int    // expected 0-based position, -1 to skip
	}{
		{``, "empty query", 0},
		{`type = page AND`, "expected a field name but the query ended", 15},
		{`foo = bar`, "no field exists with the name 'foo'", 0},
		{`user = abc`, "is not supported by content search", 0},
		{`user.accountid = "x"`, "/wiki/rest/api/search/user", 0},
		{`title = "unterminated`, "unterminated string", 8},
		{`created > "yesterday"`, "not a valid date", -1},
		{`text = foo`, "the operator '=' is not supported by the field 'text'", 5},
		{`label ~ x`, "the operator '~' is not supported by the field 'label'", 6},
		{`space IN ENG`, "expected '(' after IN", 9},
		{`created > now("-7x")`, "not a valid increment", -1},
		{`lastmodified > now("-7")`, "not a valid increment", -1},
		{`id = abc`, "is not a content id", -1},
		{`ancestor = "12a"`, "is not a content id", -1},
		{`ORDER BY bogus`, "cannot order by field 'bogus'", 9},
		{`type = page ORDER BY`, "expected a field to order by", 20},
		{`type = page ORDER title`, "expected BY after ORDER", 18},
		{`creator = now()`, "cannot be used with the field 'creator'", -1},
		{`created > currentUser()`, "cannot be used with the field 'created'", -1},
		{`title = startOfDay()`, "cannot be used with the field 'title'", -1},
		{`(type = page`, "expected ')'", 12},
		{`type = page)`, `unexpected ")"`, 11},
		{`title ~ notreal()`, "unknown function 'notreal()'", 8},
		{`type page`, "expected an operator after 'type'", 5},
		{`type = page AND space IN (ENG OPS)`, "expected ',' or ')'", 30},
		{`type = page & space = ENG`, "unexpected character '&'", 12},
		{`type ! page`, "unexpected character '!'", 5},
		{`now("-1d", "x")`, "no field exists", -1},
		{`created > now("-1d", "x")`, "takes at most 1 argument", -1},
		{`text ~ "!!!"`, "has no words to search for", -1},
		{"title ~ \"!!!\"", "the value for the field 'title' has no words to search for", -1},
		{"space.title ~ \"...\"", "the value for the field 'space.title' has no words to search for", -1},
		{"text ~ \"-\"", "the value for the field 'text' has no words to search for", -1},
		{strings.Repeat("(", 200) + "type = page" + strings.Repeat(")", 200), "nested too deeply", -1},
	}
	for _, tt := range tests {
		t.Run(tt.cql, func(t *testing.T) {
			q, err := Parse(tt.cql)
			if err == nil {
				_, err = q.Compile(testEnv)
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if !strings.Contains(e.Msg, tt.want) {
				t.Errorf("message %q does not contain %q", e.Msg, tt.want)
			}
			if tt.pos >= 0 && e.Pos != tt.pos {
				t.Errorf("position %d, want %d (%s)", e.Pos, tt.pos, e.Error())
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`type=page`, `type = "page"`},
		{`Space.Key in (ENG,'OPS') and not label = "a\"b"`, `space.key IN ("ENG", "OPS") AND NOT label = "a\"b"`},
		{`(a1 = x)`, ``}, // error case checked below
		{`type = page and (space = ENG or space = OPS) order by Created desc, title`,
			`type = "page" AND (space = "ENG" OR space = "OPS") ORDER BY created DESC, title ASC`},
		{`NOT (label = a AND label = b)`, `NOT (label = "a" AND label = "b")`},
		{`created > NOW(-1w)`, `created > now("-1w")`},
		{`creator = currentuser() OR text ~ "x\\y"`, `creator = currentUser() OR text ~ "x\\y"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
			q2, err := Parse(q.String())
			if err != nil || q2.String() != tt.want {
				t.Errorf("round trip: %v %v", q2, err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`type = page`, `space IN (ENG, "OPS") AND NOT label = x ORDER BY title DESC`,
		`text ~ "\"four days\"" OR title ~ "po*"`, `created > now("-7d") AND creator = currentUser()`,
		`((a = b)`, `title = 'x\'y'`, `ORDER BY id`, `lastmodified <= "2026/01/31 10:00"`, `id > 5`,
	} {
		f.Add(s)
	}
	docs := fixture()
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			return
		}
		s1 := q.String()
		q2, err := Parse(s1)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", s1, s, err)
		}
		if s2 := q2.String(); s2 != s1 {
			t.Fatalf("unstable: %q -> %q -> %q", s, s1, s2)
		}
		m, err := q.Compile(testEnv)
		if err != nil {
			return
		}
		hits := docs[:0:0]
		for _, d := range docs {
			if m.Match(d) {
				hits = append(hits, d)
			}
		}
		m.Sort(hits)
	})
}

func TestSortTopMatchesSort(t *testing.T) {
	var docs []*Doc
	for i := 0; i < 300; i++ {
		docs = append(docs, NewDoc(Content{
			ID: strconv.Itoa(1000 + (i*7919)%300), Type: "page", SpaceKey: []string{"A", "B", "C"}[i%3],
			Title:        "Page " + strconv.Itoa(i%37),
			Text:         strings.Repeat("deploy ", i%4) + "notes",
			Created:      day("2026-01-01").Add(time.Duration(i%17) * time.Hour),
			LastModified: day("2026-02-01").Add(time.Duration(i%23) * time.Hour),
		}))
	}
	for _, q := range []string{`type = page ORDER BY created DESC, title`, `text ~ notes`, `text ~ deploy OR title ~ 3`, `space = B ORDER BY lastmodified`, `type = page`} {
		parsed, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		m, err := parsed.Compile(testEnv)
		if err != nil {
			t.Fatal(err)
		}
		var hits []*Doc
		for _, d := range docs {
			if m.Match(d) {
				hits = append(hits, d)
			}
		}
		full := slices.Clone(hits)
		m.Sort(full)
		for _, k := range []int{0, 1, 5, 25, 74, 75, len(hits) - 1, len(hits), len(hits) + 10} {
			got := m.SortTop(slices.Clone(hits), k)
			if want := full[:min(max(k, 0), len(full))]; !slices.Equal(got, want) {
				t.Errorf("%s: SortTop(%d) differs from Sort", q, k)
			}
		}
	}
}

func TestRequiredSpaces(t *testing.T) {
	tests := []struct {
		cql  string
		want []string
		ok   bool
	}{
		{`space = ENG`, []string{"ENG"}, true},
		{`type = page AND space IN (ENG, OPS)`, []string{"ENG", "OPS"}, true},
		{`space = ENG OR space.key = TEAM`, []string{"ENG", "TEAM"}, true},
		{`space = ENG OR label = x`, nil, false},
		{`NOT space = ENG`, nil, false},
		{`space != ENG`, nil, false},
		{`text ~ x ORDER BY title`, nil, false},
		{`ORDER BY title`, nil, false},
		{`(space = A AND type = page) OR (label = l AND space = B)`, []string{"A", "B"}, true},
	}
	for _, tt := range tests {
		q, err := Parse(tt.cql)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := q.RequiredSpaces()
		if ok != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v %v, want %v %v", tt.cql, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRequiredWords(t *testing.T) {
	tests := []struct {
		cql  string
		want []string
	}{
		{`text ~ "Deploy prod*" AND title ~ "\"run book\""`, []string{"deploy", "run", "book"}},
		{`type = page AND text ~ x`, []string{"x"}},
		{`text ~ a OR text ~ b`, nil},
		{`NOT text ~ a`, nil},
		{`text !~ a`, nil},
		{`space.title ~ eng`, nil},
		{`label = x`, nil},
	}
	for _, tt := range tests {
		q, err := Parse(tt.cql)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.RequiredWords(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.cql, got, tt.want)
		}
	}
	// Every doc a query matches holds its required words.
	for _, tc := range []string{`text ~ "promote replica"`, `title ~ policy AND text ~ days`} {
		q, _ := Parse(tc)
		m, _ := q.Compile(testEnv)
		for _, d := range fixture() {
			if !m.Match(d) {
				continue
			}
			for _, w := range q.RequiredWords() {
				if !slices.Contains(d.Words(), w) {
					t.Errorf("%s matches %s without %q", tc, d.ID, w)
				}
			}
		}
	}
}
