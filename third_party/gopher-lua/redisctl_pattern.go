package lua

import "strings"

// Lua 5.1's pattern matching (lstrlib.c's algorithm), replacing upstream's
// compiled patterns (the pm package) for string.find, match, gmatch and
// gsub, so that results, empty matches, anchors, frontier patterns and
// errors are Lua's (redisctl patch).

const (
	patMaxCaptures  = 32 // LUA_MAXCAPTURES
	capUnfinished   = -1
	capPosition     = -2
	patSpecials     = "^$*+?.([%-"
	patEscape       = '%'
	patMaxRecursion = 200000 // a Go stack guard; Lua 5.1 has none
)

type patCapture struct {
	init, len int
}

// patState is a MatchState: the subject, the pattern and the captures of
// the match in progress.
type patState struct {
	L       *LState
	src     string
	pat     string
	level   int
	capture [patMaxCaptures]patCapture
	depth   int
}

func newPatState(L *LState, src, pat string) *patState {
	// The pattern is a C string to Lua: it ends at its first NUL.
	if i := strings.IndexByte(pat, 0); i >= 0 {
		pat = pat[:i]
	}
	return &patState{L: L, src: src, pat: pat}
}

// at returns the pattern byte at p, 0 past its end (C's terminator).
func (ms *patState) at(p int) byte {
	if p < len(ms.pat) {
		return ms.pat[p]
	}
	return 0
}

// srcAt returns the subject byte at s, 0 past its end.
func (ms *patState) srcAt(s int) byte {
	if s < len(ms.src) {
		return ms.src[s]
	}
	return 0
}

func (ms *patState) classEnd(p int) int {
	c := ms.at(p)
	p++
	switch c {
	case patEscape:
		if p >= len(ms.pat) {
			ms.L.RaiseError("%s", "malformed pattern (ends with '%')")
		}
		return p + 1
	case '[':
		if ms.at(p) == '^' {
			p++
		}
		for {
			if p >= len(ms.pat) {
				ms.L.RaiseError("malformed pattern (missing ']')")
			}
			c := ms.pat[p]
			p++
			if c == patEscape && p < len(ms.pat) {
				p++
			}
			if ms.at(p) == ']' {
				return p + 1
			}
		}
	}
	return p
}

func isASCIILower(c byte) bool { return 'a' <= c && c <= 'z' }
func isASCIIUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

// patClass is match_class: c against the class letter cl, in the C locale.
func patClass(c, cl byte) bool {
	var res bool
	switch cl | 0x20 {
	case 'a':
		res = isASCIILower(c) || isASCIIUpper(c)
	case 'c':
		res = c < 32 || c == 127
	case 'd':
		res = isASCIIDigit(c)
	case 'l':
		res = isASCIILower(c)
	case 'p':
		res = (33 <= c && c <= 47) || (58 <= c && c <= 64) || (91 <= c && c <= 96) || (123 <= c && c <= 126)
	case 's':
		res = c == ' ' || ('\t' <= c && c <= '\r')
	case 'u':
		res = isASCIIUpper(c)
	case 'w':
		res = isASCIILower(c) || isASCIIUpper(c) || isASCIIDigit(c)
	case 'x':
		res = isASCIIDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f')
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if isASCIIUpper(cl) {
		return !res
	}
	return res
}

// bracketClass is matchbracketclass: c against the set [...] that starts
// at p and whose ']' is at ec.
func (ms *patState) bracketClass(c byte, p, ec int) bool {
	sig := true
	if ms.at(p+1) == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		switch {
		case ms.pat[p] == patEscape:
			p++
			if patClass(c, ms.at(p)) {
				return sig
			}
		case ms.at(p+1) == '-' && p+2 < ec:
			p += 2
			if ms.pat[p-2] <= c && c <= ms.pat[p] {
				return sig
			}
		case ms.pat[p] == c:
			return sig
		}
	}
	return !sig
}

// singleMatch is whether the subject byte at s matches the single-char
// class at p..ep.
func (ms *patState) singleMatch(s, p, ep int) bool {
	if s >= len(ms.src) {
		return false
	}
	c := ms.src[s]
	switch ms.pat[p] {
	case '.':
		return true
	case patEscape:
		return patClass(c, ms.at(p+1))
	case '[':
		return ms.bracketClass(c, p, ep-1)
	}
	return ms.pat[p] == c
}

// match is do_match: the end of the match of pat[p:] at src[s:], or -1.
func (ms *patState) match(s, p int) int {
	ms.depth++
	if ms.depth > patMaxRecursion {
		ms.L.RaiseError("pattern too complex")
	}
	defer func() { ms.depth-- }()
	for {
		switch ms.at(p) {
		case '(':
			if ms.at(p+1) == ')' {
				return ms.startCapture(s, p+2, capPosition)
			}
			return ms.startCapture(s, p+1, capUnfinished)
		case ')':
			return ms.endCapture(s, p+1)
		case 0:
			if p >= len(ms.pat) {
				return s
			}
		case '$':
			if p+1 == len(ms.pat) {
				if s == len(ms.src) {
					return s
				}
				return -1
			}
		case patEscape:
			switch next := ms.at(p + 1); {
			case next == 'b':
				if s = ms.matchBalance(s, p+2); s < 0 {
					return -1
				}
				p += 4
				continue
			case next == 'f':
				p += 2
				if ms.at(p) != '[' {
					ms.L.RaiseError("%s", "missing '[' after '%f' in pattern")
				}
				ep := ms.classEnd(p)
				var prev byte
				if s > 0 {
					prev = ms.src[s-1]
				}
				if ms.bracketClass(prev, p, ep-1) || !ms.bracketClass(ms.srcAt(s), p, ep-1) {
					return -1
				}
				p = ep
				continue
			case isASCIIDigit(next):
				if s = ms.matchCapture(s, next); s < 0 {
					return -1
				}
				p += 2
				continue
			}
		}
		// A single-char class, maybe with a repetition.
		ep := ms.classEnd(p)
		m := ms.singleMatch(s, p, ep)
		switch ms.at(ep) {
		case '?':
			if m {
				if res := ms.match(s+1, ep+1); res >= 0 {
					return res
				}
			}
			p = ep + 1
			continue
		case '*':
			return ms.maxExpand(s, p, ep)
		case '+':
			if !m {
				return -1
			}
			return ms.maxExpand(s+1, p, ep)
		case '-':
			return ms.minExpand(s, p, ep)
		}
		if !m {
			return -1
		}
		s++
		p = ep
	}
}

func (ms *patState) matchBalance(s, p int) int {
	if p+1 >= len(ms.pat) {
		ms.L.RaiseError("unbalanced pattern")
	}
	if s >= len(ms.src) || ms.src[s] != ms.pat[p] {
		return -1
	}
	b, e := ms.pat[p], ms.pat[p+1]
	cont := 1
	for s++; s < len(ms.src); s++ {
		switch ms.src[s] {
		case e:
			if cont--; cont == 0 {
				return s + 1
			}
		case b:
			cont++
		}
	}
	return -1
}

func (ms *patState) maxExpand(s, p, ep int) int {
	i := 0
	for ms.singleMatch(s+i, p, ep) {
		i++
	}
	for ; i >= 0; i-- {
		if res := ms.match(s+i, ep+1); res >= 0 {
			return res
		}
	}
	return -1
}

func (ms *patState) minExpand(s, p, ep int) int {
	for {
		if res := ms.match(s, ep+1); res >= 0 {
			return res
		}
		if !ms.singleMatch(s, p, ep) {
			return -1
		}
		s++
	}
}

func (ms *patState) startCapture(s, p, what int) int {
	if ms.level >= patMaxCaptures {
		ms.L.RaiseError("too many captures")
	}
	ms.capture[ms.level] = patCapture{s, what}
	ms.level++
	res := ms.match(s, p)
	if res < 0 {
		ms.level--
	}
	return res
}

func (ms *patState) endCapture(s, p int) int {
	l := -1
	for i := ms.level - 1; i >= 0; i-- {
		if ms.capture[i].len == capUnfinished {
			l = i
			break
		}
	}
	if l < 0 {
		ms.L.RaiseError("invalid pattern capture")
	}
	ms.capture[l].len = s - ms.capture[l].init
	res := ms.match(s, p)
	if res < 0 {
		ms.capture[l].len = capUnfinished
	}
	return res
}

func (ms *patState) checkCapture(c byte) int {
	l := int(c) - '1'
	if l < 0 || l >= ms.level || ms.capture[l].len == capUnfinished {
		ms.L.RaiseError("invalid capture index")
	}
	return l
}

func (ms *patState) matchCapture(s int, c byte) int {
	cp := ms.capture[ms.checkCapture(c)]
	if len(ms.src)-s >= cp.len && ms.src[cp.init:cp.init+cp.len] == ms.src[s:s+cp.len] {
		return s + cp.len
	}
	return -1
}

// oneCapture is push_onecapture's value: capture i, or the whole match
// s..e when there are no captures.
func (ms *patState) oneCapture(i, s, e int) LValue {
	if i >= ms.level {
		if i != 0 {
			ms.L.RaiseError("invalid capture index")
		}
		return LString(ms.src[s:e])
	}
	cp := ms.capture[i]
	switch cp.len {
	case capUnfinished:
		ms.L.RaiseError("unfinished capture")
	case capPosition:
		return LNumber(cp.init + 1)
	}
	return LString(ms.src[cp.init : cp.init+cp.len])
}

// pushCaptures is push_captures: the captures, or the whole match when
// there are none and wholeOK.
func (ms *patState) pushCaptures(s, e int, wholeOK bool) int {
	n := ms.level
	if n == 0 && wholeOK {
		n = 1
	}
	for i := 0; i < n; i++ {
		ms.L.Push(ms.oneCapture(i, s, e))
	}
	return n
}

// strFindAux is str_find_aux: string.find (find) and string.match.
func strFindAux(L *LState, find bool) int {
	s := L.CheckString(1)
	p := L.CheckString(2)
	init := L.OptInt(3, 1)
	if init < 0 {
		init += len(s) + 1
	}
	init--
	if init < 0 {
		init = 0
	} else if init > len(s) {
		init = len(s)
	}
	pc := p
	if i := strings.IndexByte(pc, 0); i >= 0 {
		pc = pc[:i]
	}
	if find && (LVAsBool(L.Get(4)) || !strings.ContainsAny(pc, patSpecials)) {
		if i := strings.Index(s[init:], p); i >= 0 {
			L.Push(LNumber(init + i + 1))
			L.Push(LNumber(init + i + len(p)))
			return 2
		}
		L.Push(LNil)
		return 1
	}
	ms := newPatState(L, s, p)
	pat := 0
	anchor := ms.at(0) == '^'
	if anchor {
		pat = 1
	}
	for s1 := init; ; s1++ {
		ms.level = 0
		if e := ms.match(s1, pat); e >= 0 {
			if find {
				L.Push(LNumber(s1 + 1))
				L.Push(LNumber(e))
				return ms.pushCaptures(0, 0, false) + 2
			}
			return ms.pushCaptures(s1, e, true)
		}
		if s1 >= len(s) || anchor {
			break
		}
	}
	L.Push(LNil)
	return 1
}

// gmatchState is what the iterator string.gmatch returns keeps.
type gmatchState struct {
	src, pat string
	pos      int
}

// strGmatchIter is gmatch_aux, the iterator gmatch returns: a closure,
// callable on its own as in Lua.
func strGmatchIter(L *LState) int {
	g := L.Get(UpvalueIndex(1)).(*LUserData).Value.(*gmatchState)
	ms := newPatState(L, g.src, g.pat)
	for src := g.pos; src <= len(g.src); src++ {
		ms.level = 0
		if e := ms.match(src, 0); e >= 0 {
			g.pos = e
			if e == src {
				g.pos++ // an empty match: go on one further
			}
			return ms.pushCaptures(src, e, true)
		}
	}
	g.pos = len(g.src) + 1
	return 0
}

func strGmatch(L *LState) int {
	ud := L.NewUserData()
	ud.Value = &gmatchState{src: L.CheckString(1), pat: L.CheckString(2)}
	L.Push(L.NewClosure(strGmatchIter, ud))
	return 1
}

func strFind(L *LState) int  { return strFindAux(L, true) }
func strMatch(L *LState) int { return strFindAux(L, false) }

// strGsub is str_gsub.
func strGsub(L *LState) int {
	src := L.CheckString(1)
	p := L.CheckString(2)
	repl := L.Get(3)
	maxS := L.OptInt(4, len(src)+1)
	switch repl.(type) {
	case LString, LNumber, *LTable, *LFunction:
	default:
		L.ArgError(3, "string/function/table expected")
	}
	ms := newPatState(L, src, p)
	pat := 0
	anchor := ms.at(0) == '^'
	if anchor {
		pat = 1
	}
	var b strings.Builder
	s, n := 0, 0
	for n < maxS {
		ms.level = 0
		e := ms.match(s, pat)
		if e >= 0 {
			n++
			ms.addValue(&b, repl, s, e)
		}
		if e >= 0 && e > s {
			s = e
		} else if s < len(src) {
			b.WriteByte(src[s])
			s++
		} else {
			break
		}
		if anchor {
			break
		}
	}
	b.WriteString(src[s:])
	L.Push(LString(b.String()))
	L.Push(LNumber(n))
	return 2
}

// addValue is add_value: the replacement of the match s..e.
func (ms *patState) addValue(b *strings.Builder, repl LValue, s, e int) {
	L := ms.L
	var v LValue
	switch r := repl.(type) {
	case LString:
		ms.addString(b, string(r), s, e)
		return
	case LNumber:
		ms.addString(b, r.String(), s, e)
		return
	case *LFunction:
		top := L.GetTop()
		L.Push(r)
		n := ms.pushCaptures(s, e, true)
		L.Call(n, 1)
		v = L.Get(-1)
		L.SetTop(top)
	case *LTable:
		v = L.GetTable(r, ms.oneCapture(0, s, e))
	}
	switch x := v.(type) {
	case LString:
		b.WriteString(string(x))
	case LNumber:
		b.WriteString(x.String())
	default:
		if !LVAsBool(v) {
			b.WriteString(ms.src[s:e]) // keep the original text
			return
		}
		L.RaiseError("invalid replacement value (a %s)", v.Type().String())
	}
}

// addString is add_s: a replacement string with %0-%9 and %% escapes.
func (ms *patState) addString(b *strings.Builder, news string, s, e int) {
	for i := 0; i < len(news); i++ {
		if news[i] != patEscape {
			b.WriteByte(news[i])
			continue
		}
		i++
		var c byte // past the end: C's terminator
		if i < len(news) {
			c = news[i]
		}
		switch {
		case !isASCIIDigit(c):
			b.WriteByte(c)
		case c == '0':
			b.WriteString(ms.src[s:e])
		default:
			switch v := ms.oneCapture(int(c-'1'), s, e).(type) {
			case LString:
				b.WriteString(string(v))
			case LNumber:
				b.WriteString(v.String())
			}
		}
	}
}
