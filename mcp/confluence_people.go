package mcp

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
)

// Confluence names people by account id only: in a page's author and last
// editor, and in mentions, which storage writes without a name. The tools
// resolve the ids of one answer in one bulk lookup (v2 users-bulk) and keep
// the names a while, so an agent reads "Sam Okafor" where Confluence says
// 5d53f3cbc6b9320d9ea5bdc2. A mention keeps its id in the link, so the
// markdown still round-trips through atlassian_confluence_create_page.

const (
	// confNamesTTL is how long a resolved name is kept.
	confNamesTTL = 30 * time.Minute
	// confUnknownTTL is how long an id Confluence did not name is kept as
	// unknown: short, so a person who joins (or whose profile becomes
	// visible) is named within minutes, and still at most one lookup per
	// id in that time however often pages mention them.
	confUnknownTTL = 2 * time.Minute
	// confNamesMax bounds the names kept per connection.
	confNamesMax = 2000
)

// confNameCache holds resolved display names of one connection.
type confNameCache struct {
	mu    sync.Mutex
	names map[string]confName
}

type confName struct {
	name    string
	expires time.Time
}

// confPeople keeps one name cache per Confluence client.
var confPeople perClient[atlassian.ConfluenceClient, *confNameCache]

// confMentionRe matches a mention as the storage converter writes it:
// @[text](accountid:ID).
var confMentionRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`@\[([^\]\n]*)\]\(accountid:([A-Za-z0-9][A-Za-z0-9:_-]*)\)`)
})

// confStorageUserRe matches a user reference in storage format.
var confStorageUserRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<ri:user\b[^>]*\bri:account-id="([^"]+)"`) })

// confStorageUserIDs lists the account ids a storage body refers to
// (mentions), so they can be looked up before the body is converted.
func confStorageUserIDs(storage string) []string {
	var ids []string
	for _, m := range confStorageUserRe().FindAllStringSubmatch(storage, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// confNameMentions gives the mentions in md whose text is their bare id
// the person's name, keeping the id in the link.
func confNameMentions(md string, names map[string]string) string {
	if len(names) == 0 || !strings.Contains(md, "](accountid:") {
		return md
	}
	return confMentionRe().ReplaceAllStringFunc(md, func(m string) string {
		sub := confMentionRe().FindStringSubmatch(m)
		text, id := sub[1], sub[2]
		name, ok := names[id]
		if !ok || (text != id && text != "") {
			return m
		}
		name = strings.NewReplacer(`\`, `\\`, `]`, `\]`, "\n", " ").Replace(name)
		return "@[" + name + "](accountid:" + id + ")"
	})
}

// confNames resolves account ids to display names: from the cache, and
// the rest in one bulk lookup. It never fails the answer: ids it cannot
// resolve (no scope, a hidden profile, Confluence down) are simply not in
// the map, and their ids are shown.
func (d *Deps) confNames(ctx context.Context, ids []string) map[string]string {
	if d.Confluence == nil || len(ids) == 0 {
		return nil
	}
	cache := confPeople.getOrPut(d.Confluence, &confNameCache{names: map[string]confName{}})
	now := d.now()
	out := map[string]string{}
	var missing []string
	seen := map[string]bool{}
	cache.mu.Lock()
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if n, ok := cache.names[id]; ok && now.Before(n.expires) {
			if n.name != "" {
				out[id] = n.name
			}
			continue
		}
		missing = append(missing, id)
	}
	cache.mu.Unlock()
	if len(missing) == 0 {
		return out
	}
	users, err := d.Confluence.Users.Bulk(ctx, missing)
	if err != nil {
		return out
	}
	found := map[string]string{}
	for _, u := range users {
		name := u.DisplayName
		if name == "" {
			name = u.PublicName
		}
		found[u.AccountID] = name
	}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if len(cache.names)+len(missing) > confNamesMax {
		for id, n := range cache.names {
			if !now.Before(n.expires) {
				delete(cache.names, id)
			}
		}
		if len(cache.names)+len(missing) > confNamesMax {
			clear(cache.names)
		}
	}
	for _, id := range missing {
		// An id Confluence did not return is kept as unknown too, so a
		// page full of former users does not ask again on every read;
		// briefly, so a user added since is named soon.
		ttl := confNamesTTL
		if found[id] == "" {
			ttl = confUnknownTTL
		}
		cache.names[id] = confName{name: found[id], expires: now.Add(ttl)}
		if found[id] != "" {
			out[id] = found[id]
		}
	}
	return out
}
