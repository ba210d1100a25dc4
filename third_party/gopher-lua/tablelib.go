package lua

func OpenTable(L *LState) int {
	tabmod := L.RegisterModule(TabLibName, tableFuncs)
	L.Push(tabmod)
	return 1
}

var tableFuncs = map[string]LGFunction{
	"getn":     tableGetN,
	"concat":   tableConcat,
	"insert":   tableInsert,
	"maxn":     tableMaxN,
	"remove":   tableRemove,
	"sort":     tableSort,
	"foreach":  tableForeach,
	"foreachi": tableForeachi,
	"setn":     tableSetn,
}

// redisctl patch: the table functions are Lua 5.1's ltablib.c, working
// through the length operator and raw integer gets and sets, so they see
// tables with holes as Lua does; sort is Lua's quicksort (ties end up
// where Lua puts them) with its "invalid order function" check.

func tableSort(L *LState) int {
	tbl := L.CheckTable(1)
	L.checkWritable(tbl)
	var fn *LFunction
	if L.Get(2) != LNil {
		fn = L.CheckFunction(2)
	}
	s := luaSorter{L: L, t: tbl, fn: fn}
	s.sort(1, tbl.Len())
	return 0
}

type luaSorter struct {
	L  *LState
	t  *LTable
	fn *LFunction
}

func (s *luaSorter) less(a, b LValue) bool {
	if s.fn != nil {
		s.L.Push(s.fn)
		s.L.Push(a)
		s.L.Push(b)
		s.L.Call(2, 1)
		return LVAsBool(s.L.reg.Pop())
	}
	return lessThan(s.L, a, b)
}

func (s *luaSorter) get(i int) LValue    { return s.t.RawGetInt(i) }
func (s *luaSorter) set(i int, v LValue) { s.t.RawSetInt(i, v) }

// sort is ltablib.c's auxsort.
func (s *luaSorter) sort(l, u int) {
	for l < u {
		al, au := s.get(l), s.get(u)
		if s.less(au, al) {
			s.set(l, au)
			s.set(u, al)
		}
		if u-l == 1 {
			break
		}
		i := (l + u) / 2
		ai, al := s.get(i), s.get(l)
		if s.less(ai, al) {
			s.set(i, al)
			s.set(l, ai)
		} else if au := s.get(u); s.less(au, ai) {
			s.set(i, au)
			s.set(u, ai)
		}
		if u-l == 2 {
			break
		}
		p := s.get(i)
		s.set(i, s.get(u-1))
		s.set(u-1, p)
		i, j := l, u-1
		for {
			var vi, vj LValue
			for {
				i++
				if vi = s.get(i); !s.less(vi, p) {
					break
				}
				if i > u {
					s.L.RaiseError("invalid order function for sorting")
				}
			}
			for {
				j--
				if vj = s.get(j); !s.less(p, vj) {
					break
				}
				if j < l {
					s.L.RaiseError("invalid order function for sorting")
				}
			}
			if j < i {
				break
			}
			s.set(i, vj)
			s.set(j, vi)
		}
		x, y := s.get(u-1), s.get(i)
		s.set(u-1, y)
		s.set(i, x)
		if i-l < u-i {
			j, i, l = l, i-1, i+1
		} else {
			j, i, u = i+1, u, i-1
		}
		s.sort(j, i)
	}
}

func tableGetN(L *LState) int {
	L.Push(LNumber(L.CheckTable(1).Len()))
	return 1
}

func tableMaxN(L *LState) int {
	L.Push(L.CheckTable(1).MaxN())
	return 1
}

func tableRemove(L *LState) int {
	tbl := L.CheckTable(1)
	L.checkWritable(tbl)
	e := tbl.Len()
	pos := L.OptInt(2, e)
	if pos < 1 || pos > e {
		return 0
	}
	L.Push(tbl.Remove(pos))
	return 1
}

func tableConcat(L *LState) int {
	sep := L.OptString(2, "")
	tbl := L.CheckTable(1)
	i := L.OptInt(3, 1)
	last := L.OptInt(4, tbl.Len())
	var b []byte
	for ; i <= last; i++ {
		v := tbl.RawGetInt(i)
		switch x := v.(type) {
		case LString:
			b = append(b, x...)
		case LNumber:
			b = append(b, x.String()...)
		default:
			L.RaiseError("invalid value (%s) at index %d in table for 'concat'", luaTypeName(v), i)
		}
		if i != last {
			b = append(b, sep...)
		}
	}
	L.Push(LString(b))
	return 1
}

func tableInsert(L *LState) int {
	tbl := L.CheckTable(1)
	L.checkWritable(tbl)
	switch L.GetTop() {
	case 2:
		tbl.Append(L.Get(2))
	case 3:
		tbl.Insert(L.CheckInt(2), L.Get(3))
	default:
		L.RaiseError("wrong number of arguments to 'insert'")
	}
	return 0
}

// tableForeach and tableForeachi are Lua 5.1's deprecated table.foreach
// and table.foreachi: call f on each pair until it returns non-nil.
func tableForeach(L *LState) int {
	tbl := L.CheckTable(1)
	fn := L.CheckFunction(2)
	for k, v := tbl.Next(LNil); k != LNil; k, v = tbl.Next(k) {
		L.Push(fn)
		L.Push(k)
		L.Push(v)
		L.Call(2, 1)
		if r := L.Get(-1); r != LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func tableForeachi(L *LState) int {
	tbl := L.CheckTable(1)
	n := tbl.Len()
	fn := L.CheckFunction(2)
	for i := 1; i <= n; i++ {
		L.Push(fn)
		L.Push(LNumber(i))
		L.Push(tbl.RawGetInt(i))
		L.Call(2, 1)
		if r := L.Get(-1); r != LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func tableSetn(L *LState) int {
	L.CheckTable(1)
	L.RaiseError("'setn' is obsolete")
	return 0
}
