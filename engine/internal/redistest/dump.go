package redistest

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Key is one key of a dataset in a canonical form that two servers (or a
// server and a decoded file) can be compared with.
type Key struct {
	Type     string // as TYPE reports it
	ExpireAt int64  // unix ms, 0 when persistent
	Value    string // canonical rendering, see the Canon* functions
}

// Dataset maps "db/key" to the key.
type Dataset map[string]Key

// Name is a Dataset's key for key in db.
func Name(db int, key string) string { return strconv.Itoa(db) + "/" + key }

// Diff describes the differences between want and got, or returns "".
func Diff(want, got Dataset) string {
	var out []string
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("missing %s (%s)", k, w.Type))
		case g != w:
			out = append(out, fmt.Sprintf("%s differs:\n   want %+v\n   got  %+v", k, clip(w), clip(g)))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("unexpected %s (%s)", k, g.Type))
		}
	}
	sort.Strings(out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("... and %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}

func clip(k Key) Key {
	if len(k.Value) > 300 {
		k.Value = k.Value[:300] + "..."
	}
	return k
}

// CanonList renders a list, or a set or hash's sorted members/pairs.
func CanonList(elems []string) string { return fmt.Sprintf("%q", elems) }

// CanonSet renders a set.
func CanonSet(members []string) string {
	s := append([]string(nil), members...)
	sort.Strings(s)
	return CanonList(s)
}

// CanonHash renders field, value, field, value...
func CanonHash(pairs []string) string {
	var s []string
	for i := 0; i+1 < len(pairs); i += 2 {
		s = append(s, pairs[i]+"="+pairs[i+1])
	}
	return CanonSet(s)
}

// ZMember is a sorted set member.
type ZMember struct {
	Member string
	Score  float64
}

// CanonZSet renders a sorted set in ZRANGE order.
func CanonZSet(z []ZMember) string {
	s := append([]ZMember(nil), z...)
	sort.Slice(s, func(i, j int) bool {
		if s[i].Score != s[j].Score {
			return s[i].Score < s[j].Score
		}
		return s[i].Member < s[j].Member
	})
	var out []string
	for _, m := range s {
		out = append(out, m.Member+" "+strconv.FormatFloat(m.Score, 'g', 17, 64))
	}
	return CanonList(out)
}

// Stream is a stream's observable state.
type Stream struct {
	Entries      []string // "id field value ..."
	LastID       string
	FirstID      string // recorded-first-entry-id
	MaxDeletedID string
	EntriesAdded int64
	Groups       []Group
}

// Group is a consumer group.
type Group struct {
	Name        string
	LastID      string
	EntriesRead string   // "nil" when unknown
	Pending     []string // "id consumer delivery-time count"
	Consumers   []string // "name seen-time id id..."
}

// CanonStream renders a stream.
func CanonStream(s Stream) string { return fmt.Sprintf("%+v", s) }

// Options tune Fetch.
type Options struct {
	// NoSeenTime leaves stream consumers' seen-time out: an AOF rewritten
	// as commands recreates consumers, which sets it (Redis too).
	NoSeenTime bool
}

// Fetch reads every key of databases 0..dbs-1 through client commands.
func Fetch(t testing.TB, addr string, dbs int) Dataset {
	t.Helper()
	return FetchWith(t, addr, dbs, Options{})
}

// FetchWith is Fetch with options.
func FetchWith(t testing.TB, addr string, dbs int, o Options) Dataset {
	t.Helper()
	ctx := context.Background()
	out := Dataset{}
	for db := 0; db < dbs; db++ {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db, Protocol: 2, DisableIndentity: true, MaxRetries: -1})
		keys, err := c.Keys(ctx, "*").Result()
		if err != nil {
			c.Close()
			t.Fatalf("KEYS in db %d: %v", db, err)
		}
		for _, k := range keys {
			key, err := fetchKey(ctx, c, k, o)
			if err != nil {
				c.Close()
				t.Fatalf("db %d key %q: %v", db, k, err)
			}
			out[Name(db, k)] = key
		}
		c.Close()
	}
	return out
}

func strs(v any) []string {
	a, _ := v.([]any)
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = fmt.Sprint(x)
	}
	return out
}

func fetchKey(ctx context.Context, c *redis.Client, k string, o Options) (Key, error) {
	typ, err := c.Type(ctx, k).Result()
	if err != nil {
		return Key{}, err
	}
	key := Key{Type: typ}
	if key.ExpireAt, err = c.Do(ctx, "PEXPIRETIME", k).Int64(); err != nil {
		return key, err
	}
	if key.ExpireAt < 0 {
		key.ExpireAt = 0
	}
	switch typ {
	case "string":
		key.Value, err = c.Get(ctx, k).Result()
	case "list":
		var v any
		v, err = c.Do(ctx, "LRANGE", k, 0, -1).Result()
		key.Value = CanonList(strs(v))
	case "set":
		var v any
		v, err = c.Do(ctx, "SMEMBERS", k).Result()
		key.Value = CanonSet(strs(v))
	case "hash":
		var v any
		v, err = c.Do(ctx, "HGETALL", k).Result()
		key.Value = CanonHash(strs(v))
	case "zset":
		var v any
		v, err = c.Do(ctx, "ZRANGE", k, 0, -1, "WITHSCORES").Result()
		s := strs(v)
		var z []ZMember
		for i := 0; i+1 < len(s); i += 2 {
			f, perr := strconv.ParseFloat(s[i+1], 64)
			if perr != nil {
				return key, perr
			}
			z = append(z, ZMember{s[i], f})
		}
		key.Value = CanonZSet(z)
	case "stream":
		var s Stream
		s, err = fetchStream(ctx, c, k, o)
		key.Value = CanonStream(s)
	default:
		err = fmt.Errorf("unexpected type %s", typ)
	}
	return key, err
}

func fetchStream(ctx context.Context, c *redis.Client, k string, o Options) (Stream, error) {
	var s Stream
	v, err := c.Do(ctx, "XRANGE", k, "-", "+").Result()
	if err != nil {
		return s, err
	}
	for _, e := range v.([]any) {
		ea := e.([]any)
		s.Entries = append(s.Entries, fmt.Sprint(ea[0])+" "+strings.Join(strs(ea[1]), " "))
	}
	info, err := c.Do(ctx, "XINFO", "STREAM", k, "FULL").Result()
	if err != nil {
		return s, err
	}
	m := pairs(info)
	s.LastID = fmt.Sprint(m["last-generated-id"])
	s.FirstID = fmt.Sprint(m["recorded-first-entry-id"])
	s.MaxDeletedID = fmt.Sprint(m["max-deleted-entry-id"])
	s.EntriesAdded, _ = m["entries-added"].(int64)
	for _, g := range m["groups"].([]any) {
		gm := pairs(g)
		grp := Group{Name: fmt.Sprint(gm["name"]), LastID: fmt.Sprint(gm["last-delivered-id"]), EntriesRead: fmt.Sprint(gm["entries-read"])}
		if gm["entries-read"] == nil {
			grp.EntriesRead = "nil"
		}
		for _, p := range gm["pending"].([]any) {
			grp.Pending = append(grp.Pending, strings.Join(strs(p), " "))
		}
		for _, cons := range gm["consumers"].([]any) {
			cm := pairs(cons)
			line := fmt.Sprint(cm["name"], " ", cm["seen-time"])
			if o.NoSeenTime {
				line = fmt.Sprint(cm["name"])
			}
			for _, p := range cm["pending"].([]any) {
				line += " " + fmt.Sprint(p.([]any)[0])
			}
			grp.Consumers = append(grp.Consumers, line)
		}
		s.Groups = append(s.Groups, grp)
	}
	return s, nil
}

// pairs turns a RESP2 flat key/value array into a map.
func pairs(v any) map[string]any {
	a, _ := v.([]any)
	m := map[string]any{}
	for i := 0; i+1 < len(a); i += 2 {
		m[fmt.Sprint(a[i])] = a[i+1]
	}
	return m
}
