package mcp

import (
	"context"
	"fmt"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
)

// userScope says where a user is looked up: users assignable in a project
// or on an issue (for assignees), or any user of the site (watchers, user
// custom fields).
type userScope struct {
	Project  string
	IssueKey string
}

func (s userScope) assignable() bool { return s.Project != "" || s.IssueKey != "" }

func (s userScope) String() string {
	switch {
	case s.IssueKey != "":
		return " among the users who can be assigned " + s.IssueKey
	case s.Project != "":
		return " among the users who can be assigned issues in " + s.Project
	}
	return ""
}

// maxUserMatches bounds a user search; more matches than this are
// reported as "too many" rather than listed.
const maxUserMatches = 20

// accountIDRe matches the shapes of Atlassian account ids: the current
// "557058:<uuid>"-style ids (a numeric prefix, a colon and a suffix), app
// ids such as "qm:…", and the older 24-hex-digit ids. A display name or an
// email never has this shape.
var accountIDRe = lazyRegexp(`^(?:[0-9a-fA-F]{24}|[A-Za-z0-9]+:[A-Za-z0-9-]{8,})$`)

// looksLikeAccountID reports whether s is shaped like an account id rather
// than a display name or an email.
func looksLikeAccountID(s string) bool { return accountIDRe.MatchString(s) }

// resolvedUser is the account a name, email or id resolved to.
type resolvedUser struct {
	AccountID   string `json:"accountId"`
	DisplayName string `json:"displayName,omitempty"`
}

func (u resolvedUser) String() string {
	if u.DisplayName == "" {
		return u.AccountID
	}
	return u.DisplayName
}

// resolveUser turns a display name, an email or an account id (the
// parameter param of the call) into an account. An account id is used as
// given (Jira checks it on write). A name or an email is searched: among
// assignable users when scope names a project or an issue, else among all
// users. An exact display-name or email match wins; a single partial match
// is taken; several are an error listing the candidates; none is an error
// that says so. It never writes.
func (d *Deps) resolveUser(ctx context.Context, param, who string, scope userScope) (resolvedUser, error) {
	who = strings.Join(strings.Fields(who), " ")
	if who == "" {
		return resolvedUser{}, argErrorf(param, "is empty; give a display name, an email or an account id")
	}
	who = unwrapMention(who)
	if isMe(who) {
		return d.connectedUser(ctx)
	}
	if looksLikeAccountID(who) {
		return resolvedUser{AccountID: who}, nil
	}
	if len(who) > 255 || strings.ContainsFunc(who, func(r rune) bool { return r < ' ' }) {
		return resolvedUser{}, argErrorf(param, "%q is not a display name, an email or an account id", clip(who, 60))
	}
	users, err := d.searchUsers(ctx, who, scope)
	if err != nil {
		return resolvedUser{}, err
	}
	matches, inactive := pickUsers(users, who)
	switch len(matches) {
	case 1:
		return resolvedUser{AccountID: matches[0].AccountID, DisplayName: matches[0].DisplayName}, nil
	case 0:
		msg := fmt.Sprintf("no user matches %q%s", who, scope)
		if len(inactive) == 0 && scope.assignable() {
			// Say whether the person exists but cannot be assigned: one
			// more read, only on this failure path.
			if others, err := d.searchUsers(ctx, who, userScope{}); err == nil {
				if m, off := pickUsers(others, who); len(m) > 0 {
					msg += fmt.Sprintf("; %s exists but cannot be assigned there (missing the Assignable user permission)", describeUsers(m, 5))
				} else {
					inactive = off
				}
			}
		}
		if len(inactive) > 0 {
			msg += fmt.Sprintf("; only deactivated or app accounts match (%s), which cannot be used", describeUsers(inactive, 5))
		} else if strings.Contains(who, "@") {
			msg += ". Jira matches an email only exactly; try the display name"
		} else {
			msg += ". Check the spelling, or give the email or account id (Jira also finds nobody when the connection lacks the Browse users and groups permission)"
		}
		return resolvedUser{}, argErrorf(param, "%s", msg)
	}
	more := ""
	if len(matches) >= maxUserMatches {
		more = " (and possibly more)"
	}
	return resolvedUser{}, argErrorf(param, "%q matches %d users%s: %s%s. Give the full display name, the email or the account id",
		who, len(matches), scope, describeUsers(matches, maxUserMatches), more)
}

// isMe reports the words that mean the connected user: "me", "myself"
// and JQL's currentUser().
func isMe(who string) bool {
	switch strings.ToLower(strings.TrimSpace(who)) {
	case "me", "myself", "@me", "currentuser()", "currentuser":
		return true
	}
	return false
}

// myselfCache keeps the user each Jira client acts for.
var myselfCache perClient[atlassian.JiraClient, resolvedUser]

// connectedUser is the user the connection acts for (GET /myself), read once per
// client and kept: it does not change while the connection lives.
func (d *Deps) connectedUser(ctx context.Context) (resolvedUser, error) {
	if d.Jira == nil {
		return resolvedUser{}, errNoJira
	}
	if u, ok := myselfCache.get(d.Jira); ok {
		return u, nil
	}
	u, err := d.Jira.Users.Myself(ctx)
	if err != nil {
		return resolvedUser{}, err
	}
	return myselfCache.getOrPut(d.Jira, resolvedUser{AccountID: u.AccountID, DisplayName: u.DisplayName}), nil
}

// searchUsers runs the assignable search for a scope, else the user search.
func (d *Deps) searchUsers(ctx context.Context, query string, scope userScope) ([]atlassian.User, error) {
	if d.Jira == nil {
		return nil, errNoJira
	}
	if scope.assignable() {
		return d.Jira.Users.Assignable(ctx, &atlassian.AssignableOptions{
			Query: query, Project: scope.Project, IssueKey: scope.IssueKey, MaxResults: maxUserMatches,
		})
	}
	return d.Jira.Users.Search(ctx, &atlassian.UserSearchOptions{Query: query, MaxResults: maxUserMatches})
}

// pickUsers narrows search results for who to active people (no app
// accounts): the exact display-name or email matches when there are any,
// else every one (Jira already matched prefixes). unusable are the
// deactivated and app accounts that matched.
func pickUsers(users []atlassian.User, who string) (people, unusable []atlassian.User) {
	want := fold(who)
	exactly := func(u atlassian.User) bool {
		return fold(u.DisplayName) == want || (u.EmailAddress != "" && strings.EqualFold(u.EmailAddress, who))
	}
	var exact []atlassian.User
	for _, u := range users {
		switch {
		case u.AccountID == "":
		case !u.Active || (u.AccountType != "" && u.AccountType != "atlassian"):
			unusable = append(unusable, u)
		default:
			people = append(people, u)
			if exactly(u) {
				exact = append(exact, u)
			}
		}
	}
	if len(exact) > 0 {
		return exact, unusable
	}
	return people, unusable
}

// describeUsers lists users as "Name <email> (account id)", email only
// when Jira shows it.
func describeUsers(users []atlassian.User, max int) string {
	var parts []string
	for i, u := range users {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(users)-max))
			break
		}
		s := u.DisplayName
		if s == "" {
			s = "(name hidden)"
		}
		if u.EmailAddress != "" {
			s += " <" + u.EmailAddress + ">"
		}
		parts = append(parts, s+" (accountId "+u.AccountID+")")
	}
	return strings.Join(parts, "; ")
}

// fold lower-cases s and collapses its whitespace.
func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// clip cuts s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// mentionIDRe matches a mention given where a user belongs: markdown
// @[Name](accountid:ID) or Jira wiki [~accountid:ID].
var mentionIDRe = lazyRegexp(`^(?:@\[[^\]]*\]\(accountid:([A-Za-z0-9:_-]{1,128})\)|\[~accountid:([A-Za-z0-9:_-]{1,128})\])$`)

// unwrapMention reads a user written as a mention ("@Emily Chen",
// "@[Emily Chen](accountid:ID)", "[~accountid:ID]") as the name or id it
// holds; anything else is returned as is.
func unwrapMention(who string) string {
	if m := mentionIDRe.FindStringSubmatch(who); m != nil {
		return m[1] + m[2]
	}
	if rest, ok := strings.CutPrefix(who, "@"); ok && rest != "" && !strings.Contains(rest, "@") {
		return strings.TrimSpace(rest)
	}
	return who
}
