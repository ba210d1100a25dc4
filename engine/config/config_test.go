package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadErrorsMatchRedis(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "node.conf")
	if err := os.WriteFile(conf, []byte("# a comment\nport 7001\n\nfoo bar\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{conf}, "at line 4\n>>> 'foo bar'\nBad directive or wrong number of arguments"},
		{[]string{"--port", "7001", "--frob", "1"}, "at line 3\n>>> 'frob \"1\"'\nBad directive or wrong number of arguments"},
		{[]string{"--port", "abc"}, "at line 2\n>>> 'port \"abc\"'\nargument couldn't be parsed into an integer"},
		{[]string{"--maxmemory", "10zz"}, ">>> 'maxmemory \"10zz\"'\nargument must be a memory value"},
		{[]string{"--port"}, ">>> 'port'\nwrong number of arguments"},
		{[]string{"--maxmemory-policy", "foo"}, "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
		{[]string{"--save", "10"}, "Invalid save parameters"},
		{[]string{"--appendonly", "maybe"}, "argument must be 'yes' or 'no'"},
		{[]string{"--dir", "/nonexistent-dir"}, ">>> 'dir \"/nonexistent-dir\"'\nNo such file or directory"},
		{[]string{"--replicaof", "foo"}, "wrong number of arguments"},
		{[]string{"--port", "70000"}, "argument must be between 0 and 65535 inclusive"},
		{[]string{"--requirepass", "a\"b"}, ""},
		{[]string{filepath.Join(dir, "missing.conf")}, "Fatal error, can't open config file '" + filepath.Join(dir, "missing.conf") + "': No such file or directory"},
	}
	for _, tt := range tests {
		_, err := Load(tt.args)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("Load(%q) error = %q, want it to contain %q", tt.args, got, tt.want)
		}
		if fe, ok := err.(*FileError); ok && !strings.HasPrefix(fe.Error(), "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line ") {
			t.Errorf("banner = %q", fe.Error())
		}
	}
}

func TestLoadValues(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "node.conf")
	text := "port 7001\nbind 127.0.0.1 ::1\nmaxmemory 256mb\nsave 900 1\nsave 300 10\nrequirepass \"s3 cret\"\n" +
		"client-output-buffer-limit pubsub 64mb 16mb 90\nnotify-keyspace-events Kx\nrename-command FLUSHALL \"\"\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load([]string{conf, "--maxmemory", "1gb", "--dir", dir, "--appendonly", "yes"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"port": "7001", "bind": "127.0.0.1 ::1", "maxmemory": "1073741824", "save": "900 1 300 10",
		"requirepass": "s3 cret", "dir": dir, "appendonly": "yes", "maxmemory-policy": "noeviction",
		"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 90",
		"notify-keyspace-events":     "xK", "databases": "16", "slaveof": "", "hash-max-ziplist-entries": "512",
	}
	for k, v := range want {
		if got := c.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if c.Int("maxmemory") != 1<<30 || !c.Bool("appendonly") || c.File() != conf {
		t.Errorf("typed values: maxmemory=%d appendonly=%v file=%q", c.Int("maxmemory"), c.Bool("appendonly"), c.File())
	}
	if r, ok := c.Renames["flushall"]; !ok || r != "" {
		t.Errorf("rename-command not recorded: %v", c.Renames)
	}
	if got := c.Path("dbfilename"); got != filepath.Join(dir, "dump.rdb") {
		t.Errorf("Path(dbfilename) = %q", got)
	}
	if p := c.SavePoints(); len(p) != 2 || p[1] != [2]int64{300, 10} {
		t.Errorf("SavePoints = %v", p)
	}
}

func TestSaveFlags(t *testing.T) {
	c, err := Load([]string{"--save", "--port", "7000"})
	if err != nil || c.Get("save") != "" || c.Get("port") != "7000" {
		t.Fatalf("--save with no value: save=%q port=%q err=%v", c.Get("save"), c.Get("port"), err)
	}
	c, err = Load([]string{"--save", "10", "1", "--save", "20", "2"})
	if err != nil || c.Get("save") != "10 1 20 2" {
		t.Fatalf("save = %q, err %v", c.Get("save"), err)
	}
}

// A parameter of several arguments given as one (quoted) argument is
// split, on the command line and in a file, as Redis 7 does.
func TestMultiArgAsOneArgument(t *testing.T) {
	for _, tc := range [][2]string{
		{"save", "100 2 1000 1"},
		{"client-output-buffer-limit", "normal 1 2 3"},
		{"oom-score-adj-values", "0 100 900"},
		{"latency-tracking-info-percentiles", "50 99"},
		{"bind", "127.0.0.1 ::1"},
	} {
		c, err := Load([]string{"--" + tc[0], tc[1]})
		if err != nil || !strings.Contains(c.Get(tc[0]), tc[1]) {
			t.Errorf("--%s %q: got %q, err %v", tc[0], tc[1], c.Get(tc[0]), err)
		}
		conf := filepath.Join(t.TempDir(), "redis.conf")
		os.WriteFile(conf, []byte(tc[0]+" \""+tc[1]+"\"\n"), 0o644)
		c, err = Load([]string{conf})
		if err != nil || !strings.Contains(c.Get(tc[0]), tc[1]) {
			t.Errorf("%s \"%s\" in a file: got %q, err %v", tc[0], tc[1], c.Get(tc[0]), err)
		}
	}
	if _, err := Load([]string{"--save", "100 2 1000"}); err == nil || !strings.Contains(err.Error(), "Invalid save parameters") {
		t.Errorf("an odd number of save arguments in one argument: %v", err)
	}
	// An empty argument still clears the save points.
	if c, err := Load([]string{"--save", ""}); err != nil || c.Get("save") != "" {
		t.Errorf(`--save "": %q %v`, c.Get("save"), err)
	}
}

func TestSet(t *testing.T) {
	c := New()
	var changed []string
	c.OnChange(func(name string) error {
		changed = append(changed, name)
		if name == "bind" && c.Get("bind") == "fail" {
			return errorString("Failed to bind to specified addresses.")
		}
		return nil
	})
	tests := []struct {
		pairs [][2]string
		err   string
	}{
		{[][2]string{{"maxmemory", "10zz"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{[][2]string{{"foo", "1"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[][2]string{{"daemonize", "yes"}}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
		{[][2]string{{"dir", "/tmp"}}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[][2]string{{"maxclients", "-5"}}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"},
		{[][2]string{{"notify-keyspace-events", "Z"}}, "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{[][2]string{{"maxmemory", "1mb"}, {"maxmemory", "2mb"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"},
		{[][2]string{{"maxmemory", "1mb"}, {"maxmemory-policy", "allkeys-lru"}}, ""},
		{[][2]string{{"maxmemory", "5mb"}, {"bind", "fail"}}, "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses."},
		{[][2]string{{"hz", "1000"}, {"save", "10 1 20 2"}, {"MAXMEMORY-POLICY", "ALLKEYS-LFU"}}, ""},
	}
	for _, tt := range tests {
		err := c.Set(tt.pairs)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("Set(%v) = %q, want %q", tt.pairs, got, tt.err)
		}
	}
	want := map[string]string{"maxmemory": "1048576", "hz": "500", "save": "10 1 20 2", "maxmemory-policy": "allkeys-lfu", "bind": "* -::*"}
	for k, v := range want {
		if got := c.Get(k); got != v {
			t.Errorf("after Set: %s = %q, want %q", k, got, v)
		}
	}
	if len(changed) == 0 {
		t.Error("change hook never called")
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestMatch(t *testing.T) {
	c := New()
	got := c.Match("maxmemory*")
	var names []string
	for _, p := range got {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "maxmemory,maxmemory-clients,maxmemory-eviction-tenacity,maxmemory-policy,maxmemory-samples" {
		t.Errorf("Match = %v", names)
	}
	if all := c.Match("*"); len(all) != len(params) {
		t.Errorf("Match(*) = %d params, want %d", len(all), len(params))
	}
}

func TestParseMemory(t *testing.T) {
	good := map[string]int64{"0": 0, "100": 100, "1k": 1000, "1kb": 1024, "256mb": 256 << 20, "1GB": 1 << 30, "2g": 2e9, "5b": 5}
	for s, want := range good {
		if n, ok := ParseMemory(s); !ok || n != want {
			t.Errorf("ParseMemory(%q) = %d, %v", s, n, ok)
		}
	}
	for _, s := range []string{"", "-1", "1.5gb", "mb", "10zz", "99999999999999999999"} {
		if _, ok := ParseMemory(s); ok {
			t.Errorf("ParseMemory(%q) accepted", s)
		}
	}
}

func TestRewrite(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "node.conf")
	orig := "# my node\nport 7001\nmaxmemory 1mb\nmaxmemory 2mb\nsave 900 1\n\n# end\n"
	if err := os.WriteFile(conf, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load([]string{conf})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set([][2]string{{"maxmemory", "3mb"}, {"requirepass", "a b"}, {"save", "10 1 20 2"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(conf)
	for _, want := range []string{"# my node\nport 7001\nmaxmemory 3145728\nsave 10 1\nsave 20 2\n\n# end\n", "requirepass \"a b\"\n"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("rewritten file lacks %q:\n%s", want, got)
		}
	}
	c2, err := Load([]string{conf})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"maxmemory", "requirepass", "save", "port", "dir"} {
		if c2.Get(k) != c.Get(k) {
			t.Errorf("%s after reload = %q, want %q", k, c2.Get(k), c.Get(k))
		}
	}
	if err := New().Rewrite(); err != ErrNoConfigFile {
		t.Errorf("Rewrite without file: %v", err)
	}
}
