package server

import "testing"

func TestLongDouble(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"10.5", "0.1", "10.6"},
		{"0", "3.0e3", "3000"},
		{"5.0e3", "2.0e2", "5200"},
		{"1", "-1", "0"},
		{"0.1", "0.2", "0.3"},
		{"-0", "0", "0"},
		{"1e20", "1", "100000000000000000000"},
		{"3.14159", "0", "3.14159"},
		{"0x10", "1", "17"},
	}
	for _, tt := range tests {
		a, ok1 := parseLongDouble([]byte(tt.a))
		b, ok2 := parseLongDouble([]byte(tt.b))
		if !ok1 || !ok2 {
			t.Fatalf("parse %q %q", tt.a, tt.b)
		}
		r, ok := addLongDouble(a, b)
		if !ok || formatLongDouble(r) != tt.want {
			t.Errorf("%s + %s = %s, want %s", tt.a, tt.b, formatLongDouble(r), tt.want)
		}
	}
	for _, bad := range []string{"", " 1", "1 ", "abc", "nan", "1e99999", "1.2.3", "--1", "0b1"} {
		if _, ok := parseLongDouble([]byte(bad)); ok {
			t.Errorf("parseLongDouble(%q) accepted", bad)
		}
	}
}
