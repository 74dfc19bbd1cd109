package sandbox

// registerJira mounts the Jira Cloud REST v3 routes (paths relative to
// /ex/jira/{cloudId}; ATLASSIAN.md §2 has the shapes).
func (s *Server) registerJira() {
	s.jira()
	const v3 = "/rest/api/3"
	routes := []struct {
		pattern string
		scopes  []string
		h       apiHandler
	}{
		// Search.
		{"GET " + v3 + "/search/jql", jScopeSearch, s.searchJQLGet},
		{"POST " + v3 + "/search/jql", jScopeSearch, s.searchJQLPost},
		{"POST " + v3 + "/search/approximate-count", jScopeSearch, s.approximateCount},
		{"GET " + v3 + "/search", jScopeSearch, s.searchRemoved},
		{"POST " + v3 + "/search", jScopeSearch, s.searchRemoved},
		{"POST " + v3 + "/issue/bulkfetch", jScopeSearch, s.bulkFetch},
		{"POST " + v3 + "/jql/parse", jScopeSearch, s.parseJQL},
		// Issues.
		{"POST " + v3 + "/issue", jScopeWriteWork, s.createIssue},
		{"GET " + v3 + "/issue/{issueIdOrKey}", jScopeReadIssue, s.getIssue},
		{"PUT " + v3 + "/issue/{issueIdOrKey}", jScopeWriteWork, s.editIssue},
		{"GET " + v3 + "/issue/{issueIdOrKey}/transitions", jScopeTransRead, s.getTransitions},
		{"POST " + v3 + "/issue/{issueIdOrKey}/transitions", jScopeWriteWork, s.doTransition},
		{"GET " + v3 + "/issue/{issueIdOrKey}/comment", jScopeReadComm, s.getComments},
		{"POST " + v3 + "/issue/{issueIdOrKey}/comment", jScopeComment, s.addComment},
		{"GET " + v3 + "/issue/{issueIdOrKey}/worklog", jScopeReadWlog, s.getWorklogs},
		{"POST " + v3 + "/issue/{issueIdOrKey}/worklog", jScopeWorklog, s.addWorklog},
		{"PUT " + v3 + "/issue/{issueIdOrKey}/assignee", jScopeWriteWork, s.assignIssue},
		{"GET " + v3 + "/issue/{issueIdOrKey}/watchers", jScopeReadWatch, s.getWatchers},
		{"POST " + v3 + "/issue/{issueIdOrKey}/watchers", jScopeWatcher, s.addWatcher},
		{"DELETE " + v3 + "/issue/{issueIdOrKey}/watchers", jScopeWatcher, s.removeWatcher},
		{"GET " + v3 + "/issue/{issueIdOrKey}/changelog", jScopeChangelog, s.getChangelog},
		{"GET " + v3 + "/issue/{issueIdOrKey}/editmeta", jScopeMeta, s.editMeta},
		{"POST " + v3 + "/issueLink", jScopeLink, s.createLink},
		{"GET " + v3 + "/issueLink/{linkId}", jScopeReadLink, s.getLink},
		{"DELETE " + v3 + "/issueLink/{linkId}", jScopeLink, s.deleteLink},
		// Users.
		{"GET " + v3 + "/user/search", jScopeUser, s.userSearch},
		{"GET " + v3 + "/user/picker", jScopeUser, s.userPicker},
		{"GET " + v3 + "/user/assignable/search", jScopeUser, s.assignableSearch},
		{"GET " + v3 + "/user", jScopeUser, s.getUser},
		{"GET " + v3 + "/myself", jScopeUser, s.myself},
		// Metadata.
		{"GET " + v3 + "/project/search", jScopeProject, s.projectSearch},
		{"GET " + v3 + "/project/{projectIdOrKey}", jScopeProject, s.getProject},
		{"GET " + v3 + "/project/{projectIdOrKey}/statuses", jScopeStatus, s.projectStatuses},
		{"GET " + v3 + "/project/{projectIdOrKey}/components", jScopeComponent, s.projectComponents},
		{"GET " + v3 + "/project/{projectIdOrKey}/versions", jScopeVersion, s.projectVersions},
		{"GET " + v3 + "/issue/createmeta/{projectIdOrKey}/issuetypes", jScopeMeta, s.createmetaIssueTypes},
		{"GET " + v3 + "/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}", jScopeMeta, s.createmetaFields},
		{"GET " + v3 + "/field", jScopeField, s.listFields},
		{"GET " + v3 + "/priority", jScopePriority, s.listPriorities},
		{"GET " + v3 + "/priority/search", jScopePriSearch, s.searchPriorities},
		{"GET " + v3 + "/issueLinkType", jScopeLinkType, s.listLinkTypes},
		{"GET " + v3 + "/issueLinkType/{issueLinkTypeId}", jScopeLinkType, s.getLinkType},
		{"GET " + v3 + "/issuetype", jScopeMeta, s.listIssueTypes},
		{"GET " + v3 + "/status", jScopeStatus, s.listStatuses},
		{"GET " + v3 + "/resolution", jScopeMeta, s.listResolutions},
	}
	for _, rt := range routes {
		s.api(Jira, rt.pattern, rt.scopes, rt.h)
	}
}
