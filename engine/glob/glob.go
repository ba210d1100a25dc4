// Package glob implements Redis's glob-style pattern matching (KEYS, SCAN
// MATCH, PSUBSCRIBE, CONFIG GET): * ? [abc] [^abc] [a-z] and \ escapes, with
// Redis's exact treatment of edge cases such as an unterminated class.
package glob

// Match reports whether s matches pattern; nocase folds ASCII case.
func Match(pattern, s []byte, nocase bool) bool {
	skip := false
	return match(pattern, s, nocase, &skip)
}

// MatchString is Match for strings.
func MatchString(pattern, s string, nocase bool) bool {
	return Match([]byte(pattern), []byte(s), nocase)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func eq(a, b byte, nocase bool) bool {
	if nocase {
		return lower(a) == lower(b)
	}
	return a == b
}

// match follows the structure of Redis's stringmatchlen so that every
// pattern, malformed ones included, gives the same answer. skipLonger stops
// the search early once a nested star has consumed the whole string, which
// keeps patterns like a*a*a*a*b linear instead of exponential.
func match(p, s []byte, nocase bool, skipLonger *bool) bool {
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if match(p[1:], s, nocase, skipLonger) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			var ok bool
			p, ok = matchClass(p[1:], s[0], nocase)
			if !ok {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			if !eq(p[0], s[0], nocase) {
				return false
			}
			s = s[1:]
		default:
			if !eq(p[0], s[0], nocase) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// matchClass matches c against the class starting just after '['. It
// returns the pattern positioned on the class's last byte (the ']', or the
// last byte of an unterminated class) and whether c matched.
func matchClass(p []byte, c byte, nocase bool) ([]byte, bool) {
	not := len(p) > 0 && p[0] == '^'
	if not {
		p = p[1:]
	}
	matched := false
	// pos indexes the full remaining pattern so an unterminated class can
	// step back onto its last byte, as Redis does.
	i := 0
	for {
		switch {
		case i < len(p) && p[i] == '\\' && len(p)-i >= 2:
			i++
			if p[i] == c {
				matched = true
			}
		case i < len(p) && p[i] == ']':
			return p[i:], matched != not
		case i >= len(p):
			i--
			if i < 0 {
				// "[" or "[^" at the very end: nothing to stand on.
				return []byte{'['}, matched != not
			}
			return p[i:], matched != not
		case len(p)-i >= 3 && p[i+1] == '-':
			start, end := p[i], p[i+2]
			if start > end {
				start, end = end, start
			}
			cc := c
			if nocase {
				start, end, cc = lower(start), lower(end), lower(c)
			}
			i += 2
			if cc >= start && cc <= end {
				matched = true
			}
		default:
			if eq(p[i], c, nocase) {
				matched = true
			}
		}
		i++
	}
}
