package glob

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pat, s string
		nocase bool
		want   bool
	}{
		{"*", "anything", false, true},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h*llo", "heeeello", false, true},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hallo", false, true},
		{"h\\*llo", "h*llo", false, true},
		{"h\\*llo", "hello", false, false},
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"h[A-Z]llo", "hello", true, true},
		{"user:*:name", "user:42:name", false, true},
		{"a*", "a", false, true},
		{"a**", "a", false, true},
		{"*a", "", false, false},
		{"", "", false, true},
		{"[abc", "a", false, true},
		{"[abc", "b", false, true},
		{"[abc", "d", false, false},
		{"[^", "b", false, true},
		{"[a-", "a", false, true},
		{"[a-", "b", false, false},
		{"a[b", "ab", false, true},
		{"[\\a]", "a", false, true},
		{"*[", "[", false, false},
		{"a[", "a[", false, false},
		{"[", "[", false, false},
		{"a\\", "a\\", false, true},
	}
	for _, tt := range tests {
		if got := MatchString(tt.pat, tt.s, tt.nocase); got != tt.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", tt.pat, tt.s, tt.nocase, got, tt.want)
		}
	}
}

// TestMatchIsNotExponential would hang with a naive backtracking matcher.
func TestMatchIsNotExponential(t *testing.T) {
	pat := strings.Repeat("a*", 30) + "b"
	s := strings.Repeat("a", 100)
	if MatchString(pat, s, false) {
		t.Fatal("matched")
	}
}
