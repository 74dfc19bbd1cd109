package sandbox

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// searchSummary sums up a v1 search response: status, start, limit, size
// and totalSize, the results (content ids, space keys for spaces), which
// paging links it has, the expansions on the first content result and
// the start of the first excerpt; or, for an error, its message.
func searchSummary(t *testing.T, h httpResult) string {
	t.Helper()
	m := h.JSON(t)
	if h.Status != 200 {
		return fmt.Sprintf("%d %v", h.Status, m["message"])
	}
	var ids, expanded []string
	excerpt := ""
	for i, r := range results(m) {
		if c, ok := r["content"].(map[string]any); ok {
			ids = append(ids, c["id"].(string))
			if expanded == nil {
				expanded = []string{}
				for _, k := range []string{"body", "version", "metadata", "ancestors", "space"} {
					if _, ok := c[k]; ok {
						expanded = append(expanded, k)
					}
				}
			}
		} else if sp, ok := r["space"].(map[string]any); ok {
			ids = append(ids, "space:"+sp["key"].(string))
		}
		if i == 0 {
			excerpt, _ = r["excerpt"].(string)
			excerpt = excerpt[:min(len(excerpt), 40)]
		}
	}
	links, _ := m["_links"].(map[string]any)
	var paging []string
	for _, k := range []string{"next", "prev"} {
		if _, ok := links[k]; ok {
			paging = append(paging, k)
		}
	}
	return fmt.Sprintf("200 start=%v limit=%v size=%v total=%v ids=%s links=%s expand=%s excerpt=%q", m["start"], m["limit"], m["size"], m["totalSize"],
		strings.Join(ids, ","), strings.Join(paging, ","), strings.Join(expanded, ","), excerpt)
}

// TestConfSearchParams pins the v1 search's answer to each of its
// parameters (limit and its caps by expansion, excerpt, start, cursor,
// expand, includeArchivedSpaces) and to queries that start from a space's
// content, a word's postings, the smaller of the two, or everything.
func TestConfSearchParams(t *testing.T) {
	c := newConfClient(t)
	search := func(cql, params string) string {
		t.Helper()
		return searchSummary(t, c.get("/wiki/rest/api/search?cql="+url.QueryEscape(cql)+params))
	}
	for _, tt := range confSearchParamCases {
		if got := search(tt[0], tt[1]); got != tt[2] {
			t.Errorf("%s %s:\n got  %s\n want %s", tt[0], tt[1], got, tt[2])
		}
	}
	// Archive a space: its content and itself are left out unless asked for.
	c.srv.mu.Lock()
	st := c.srv.confluence()
	i := slices.IndexFunc(st.spaces, func(sp *cSpace) bool { return sp.Key == "TEAM" })
	st.spaces[i].Status = "archived"
	c.srv.mu.Unlock()
	for _, tt := range confSearchArchivedCases {
		if got := search(tt[0], tt[1]); got != tt[2] {
			t.Errorf("archived TEAM: %s %s:\n got  %s\n want %s", tt[0], tt[1], got, tt[2])
		}
	}
}

// confSearchParamCases are query, parameters and summary.
var confSearchParamCases = [][3]string{
	{"type = page", "&limit=abc", "400 com.atlassian.confluence.api.service.exceptions.BadRequestException: limit must be a non-negative integer: abc"},
	{"type = page", "&limit=-1", "400 com.atlassian.confluence.api.service.exceptions.BadRequestException: limit must be a non-negative integer: -1"},
	{"type = page", "&limit=0", "200 start=0 limit=0 size=0 total=38 ids= links= expand= excerpt=\"\""},
	{"type = page", "&limit=3", "200 start=0 limit=3 size=3 total=38 ids=98342,98321,98314 links=next expand= excerpt=\"Ideas: try the new search tuning on stag\""},
	{"type = page", "&limit=3000", "200 start=0 limit=1000 size=38 total=38 ids=98342,98321,98314,98334,98327,98323,98331,98329,98338,98339,98319,98312,98330,98322,98333,98315,98317,98341,98335,98305,98306,98307,98308,98326,98316,98337,98320,98318,98332,98340,98313,98325,98336,98309,98311,98310,98328,98344 links= expand= excerpt=\"Ideas: try the new search tuning on stag\""},
	{"type = page", "&limit=100&expand=content.body.export_view", "200 start=0 limit=25 size=25 total=38 ids=98342,98321,98314,98334,98327,98323,98331,98329,98338,98339,98319,98312,98330,98322,98333,98315,98317,98341,98335,98305,98306,98307,98308,98326,98316 links=next expand= excerpt=\"Ideas: try the new search tuning on stag\""},
	{"type = page", "&limit=100&expand=content.body.styled_view,content.version", "200 start=0 limit=25 size=25 total=38 ids=98342,98321,98314,98334,98327,98323,98331,98329,98338,98339,98319,98312,98330,98322,98333,98315,98317,98341,98335,98305,98306,98307,98308,98326,98316 links=next expand=version excerpt=\"Ideas: try the new search tuning on stag\""},
	{"type = page", "&limit=100&expand=content.body.storage", "200 start=0 limit=50 size=38 total=38 ids=98342,98321,98314,98334,98327,98323,98331,98329,98338,98339,98319,98312,98330,98322,98333,98315,98317,98341,98335,98305,98306,98307,98308,98326,98316,98337,98320,98318,98332,98340,98313,98325,98336,98309,98311,98310,98328,98344 links= expand=body excerpt=\"Ideas: try the new search tuning on stag\""},
	{"type = page", "&limit=500&expand=content.version", "200 start=0 limit=200 size=38 total=38 ids=98342,98321,98314,98334,98327,98323,98331,98329,98338,98339,98319,98312,98330,98322,98333,98315,98317,98341,98335,98305,98306,98307,98308,98326,98316,98337,98320,98318,98332,98340,98313,98325,98336,98309,98311,98310,98328,98344 links= expand=version excerpt=\"Ideas: try the new search tuning on stag\""},
	{"type = page", "&excerpt=bogus", "400 com.atlassian.confluence.api.service.exceptions.BadRequestException: excerpt must be one of highlight, indexed, none, highlight_unescaped, indexed_unescaped"},
	{"text ~ policy", "&excerpt=none&limit=2", "200 start=0 limit=2 size=2 total=10 ids=98334,98327 links=next expand= excerpt=\"\""},
	{"text ~ policy", "&excerpt=indexed&limit=2", "200 start=0 limit=2 size=2 total=10 ids=98334,98327 links=next expand= excerpt=\"Engineers join the on-call rotation afte\""},
	{"text ~ policy", "&excerpt=highlight&limit=2", "200 start=0 limit=2 size=2 total=10 ids=98334,98327 links=next expand= excerpt=\"Engineers join the on-call rotation afte\""},
	{"text ~ policy", "&excerpt=highlight_unescaped&limit=2", "200 start=0 limit=2 size=2 total=10 ids=98334,98327 links=next expand= excerpt=\"Engineers join the on-call rotation afte\""},
	{"text ~ policy", "&excerpt=indexed_unescaped&limit=2", "200 start=0 limit=2 size=2 total=10 ids=98334,98327 links=next expand= excerpt=\"Engineers join the on-call rotation afte\""},
	{"type = page", "&cursor=garbage", "400 com.atlassian.confluence.api.service.exceptions.BadRequestException: Invalid cursor: garbage"},
	{"type = page", "&start=abc", "400 com.atlassian.confluence.api.service.exceptions.BadRequestException: start must be a non-negative integer: abc"},
	{"type = page", "&start=-2", "400 com.atlassian.confluence.api.service.exceptions.BadRequestException: start must be a non-negative integer: -2"},
	{"type = page ORDER BY id", "&start=2&limit=2", "200 start=2 limit=2 size=2 total=38 ids=98307,98308 links=next,prev expand= excerpt=\"Operations How we keep production health\""},
	{"type = page ORDER BY id", "&start=1000&limit=2", "200 start=1000 limit=2 size=0 total=38 ids= links=prev expand= excerpt=\"\""},
	{"type = page ORDER BY id", "&start=0&limit=2", "200 start=0 limit=2 size=2 total=38 ids=98305,98306 links=next expand= excerpt=\"Welcome to Engineering This space holds \""},
	{"type = page ORDER BY id", "&start=2&limit=0", "200 start=2 limit=0 size=0 total=38 ids= links=prev expand= excerpt=\"\""},
	{"type = page ORDER BY id", "&start=3&cursor=garbage", "400 com.atlassian.confluence.api.service.exceptions.BadRequestException: Invalid cursor: garbage"},
	{"type = page ORDER BY id", "&limit=1&expand=content.space", "200 start=0 limit=1 size=1 total=38 ids=98305 links=next expand=space excerpt=\"Welcome to Engineering This space holds \""},
	{"type = page ORDER BY id", "&limit=1&expand=content.space.homepage", "200 start=0 limit=1 size=1 total=38 ids=98305 links=next expand=space excerpt=\"Welcome to Engineering This space holds \""},
	{"type = page ORDER BY id", "&limit=1&expand=content.body", "200 start=0 limit=1 size=1 total=38 ids=98305 links=next expand=body excerpt=\"Welcome to Engineering This space holds \""},
	{"type = page ORDER BY id", "&limit=1&expand=content.body.storage", "200 start=0 limit=1 size=1 total=38 ids=98305 links=next expand=body excerpt=\"Welcome to Engineering This space holds \""},
	{"type = page ORDER BY id", "&limit=1&expand=content.version", "200 start=0 limit=1 size=1 total=38 ids=98305 links=next expand=version excerpt=\"Welcome to Engineering This space holds \""},
	{"type = page ORDER BY id", "&limit=1&expand=content.history.lastUpdated", "200 start=0 limit=1 size=1 total=38 ids=98305 links=next expand=version excerpt=\"Welcome to Engineering This space holds \""},
	{"type = page ORDER BY id", "&limit=1&expand=content.metadata.labels", "200 start=0 limit=1 size=1 total=38 ids=98305 links=next expand=metadata excerpt=\"Welcome to Engineering This space holds \""},
	{"type = page ORDER BY id", "&limit=1&expand=content.ancestors", "200 start=0 limit=1 size=1 total=38 ids=98305 links=next expand= excerpt=\"Welcome to Engineering This space holds \""},
	{"type = page ORDER BY id", "&limit=1&expand=content.space,content.body.storage,content.version,content.metadata.labels,content.ancestors,space", "200 start=0 limit=1 size=1 total=38 ids=98305 links=next expand=body,version,metadata,space excerpt=\"Welcome to Engineering This space holds \""},
	{"space = ENG ORDER BY id", "&limit=100", "200 start=0 limit=100 size=20 total=20 ids=space:ENG,98305,98309,98310,98311,98312,98313,98314,98315,98316,98317,98318,98319,98320,98321,98322,98323,98324,98343,98344 links= expand= excerpt=\"Architecture, runbooks and release notes\""},
	{"space IN (ENG, OPS) AND type = page ORDER BY id", "&limit=100", "200 start=0 limit=100 size=26 total=26 ids=98305,98307,98309,98310,98311,98312,98313,98314,98315,98316,98317,98318,98319,98320,98321,98322,98323,98334,98335,98336,98337,98338,98339,98340,98341,98344 links= expand= excerpt=\"Welcome to Engineering This space holds \""},
	{"space = NOPE", "", "200 start=0 limit=25 size=0 total=0 ids= links= expand= excerpt=\"\""},
	{"text ~ policy ORDER BY id", "&limit=100", "200 start=0 limit=100 size=10 total=10 ids=98305,98306,98307,98317,98325,98326,98327,98328,98332,98334 links= expand= excerpt=\".... See the On-call @@@hl@@@policy@@@en\""},
	{"text ~ zzzqqq", "", "200 start=0 limit=25 size=0 total=0 ids= links= expand= excerpt=\"\""},
	{"space = TEAM AND text ~ policy ORDER BY id", "&limit=100", "200 start=0 limit=100 size=6 total=6 ids=98306,98325,98326,98327,98328,98332 links= expand= excerpt=\"...here. Looking for a @@@hl@@@policy@@@\""},
	{"space IN (ENG, OPS, TEAM) AND text ~ runbook ORDER BY id", "&limit=100", "200 start=0 limit=100 size=9 total=9 ids=98313,98314,98315,98316,98322,98337,98338,98339,98340 links= expand= excerpt=\"Step-by-step procedures for the systems \""},
	{"space = ENG AND text ~ the", "&limit=100", "200 start=0 limit=100 size=14 total=14 ids=98310,98321,98314,98324,98322,98315,98317,98305,98316,98320,98318,98313,98311,space:ENG links= expand= excerpt=\"...Schema migrations run through @@@hl@@\""},
	{"type = space", "&limit=100", "200 start=0 limit=100 size=4 total=4 ids=space:~5570582f1c9a4e8b7d4e219c3a5d6f7a8b9c01,space:OPS,space:TEAM,space:ENG links= expand= excerpt=\"\""},
	{"type = space AND space = TEAM", "", "200 start=0 limit=25 size=1 total=1 ids=space:TEAM links= expand= excerpt=\"Policies, meeting notes and everything a\""},
	{"space.type = personal", "", "200 start=0 limit=25 size=3 total=3 ids=98342,98308,space:~5570582f1c9a4e8b7d4e219c3a5d6f7a8b9c01 links= expand= excerpt=\"Ideas: try the new search tuning on stag\""},
	{"type = page OR type = blogpost ORDER BY id", "&limit=100&excerpt=none", "200 start=0 limit=100 size=39 total=39 ids=98305,98306,98307,98308,98309,98310,98311,98312,98313,98314,98315,98316,98317,98318,98319,98320,98321,98322,98323,98324,98325,98326,98327,98328,98329,98330,98331,98332,98333,98334,98335,98336,98337,98338,98339,98340,98341,98342,98344 links= expand= excerpt=\"\""},
	{"type = page ORDER BY id", "&limit=5&includeArchivedSpaces=true", "200 start=0 limit=5 size=5 total=38 ids=98305,98306,98307,98308,98309 links=next expand= excerpt=\"Welcome to Engineering This space holds \""},
	{"space = ENG AND type = page ORDER BY id DESC", "&limit=1&expand=content.ancestors", "200 start=0 limit=1 size=1 total=17 ids=98344 links=next expand=ancestors excerpt=\"Superseded by Deploying to production. W\""},
}

// confSearchArchivedCases are the same with the TEAM space archived.
var confSearchArchivedCases = [][3]string{
	{"type = page ORDER BY id", "&limit=100&excerpt=none", "200 start=0 limit=100 size=28 total=28 ids=98305,98307,98308,98309,98310,98311,98312,98313,98314,98315,98316,98317,98318,98319,98320,98321,98322,98323,98334,98335,98336,98337,98338,98339,98340,98341,98342,98344 links= expand= excerpt=\"\""},
	{"type = page ORDER BY id", "&limit=100&excerpt=none&includeArchivedSpaces=true", "200 start=0 limit=100 size=38 total=38 ids=98305,98306,98307,98308,98309,98310,98311,98312,98313,98314,98315,98316,98317,98318,98319,98320,98321,98322,98323,98325,98326,98327,98328,98329,98330,98331,98332,98333,98334,98335,98336,98337,98338,98339,98340,98341,98342,98344 links= expand= excerpt=\"\""},
	{"type = page ORDER BY id", "&limit=100&excerpt=none&includeArchivedSpaces=false", "200 start=0 limit=100 size=28 total=28 ids=98305,98307,98308,98309,98310,98311,98312,98313,98314,98315,98316,98317,98318,98319,98320,98321,98322,98323,98334,98335,98336,98337,98338,98339,98340,98341,98342,98344 links= expand= excerpt=\"\""},
	{"type = space", "&limit=100", "200 start=0 limit=100 size=3 total=3 ids=space:~5570582f1c9a4e8b7d4e219c3a5d6f7a8b9c01,space:OPS,space:ENG links= expand= excerpt=\"\""},
	{"type = space", "&limit=100&includeArchivedSpaces=true", "200 start=0 limit=100 size=4 total=4 ids=space:~5570582f1c9a4e8b7d4e219c3a5d6f7a8b9c01,space:OPS,space:TEAM,space:ENG links= expand= excerpt=\"\""},
	{"space = TEAM", "&limit=100", "200 start=0 limit=100 size=0 total=0 ids= links= expand= excerpt=\"\""},
	{"space = TEAM", "&limit=100&includeArchivedSpaces=true", "200 start=0 limit=100 size=11 total=11 ids=98327,98331,98329,98330,98333,98306,98326,98332,98325,98328,space:TEAM links= expand= excerpt=\"Submit receipts within 30 days in the ex\""},
	{"text ~ policy", "&limit=100", "200 start=0 limit=100 size=4 total=4 ids=98334,98317,98305,98307 links= expand= excerpt=\"Engineers join the on-call rotation afte\""},
	{"text ~ policy", "&limit=100&includeArchivedSpaces=true", "200 start=0 limit=100 size=10 total=10 ids=98334,98327,98326,98328,98317,98305,98306,98307,98332,98325 links= expand= excerpt=\"Engineers join the on-call rotation afte\""},
}
