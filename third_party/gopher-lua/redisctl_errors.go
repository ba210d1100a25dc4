package lua

// Lua 5.1's runtime error messages, naming the variable involved
// ("attempt to index local 't' (a nil value)") as ldebug.c does
// (redisctl patch).

// typeErrorAt raises "attempt to <op> <kind> '<name>' (a <type> value)"
// for the value v held in absolute register reg (-1 when it is not in a
// register: no variable name then).
func (ls *LState) typeErrorAt(op string, v LValue, reg int) {
	if kind, name := ls.varInfo(reg); kind != "" {
		ls.RaiseError("attempt to %s %s '%s' (a %s value)", op, kind, name, luaTypeName(v))
	}
	ls.RaiseError("attempt to %s a %s value", op, luaTypeName(v))
}

func luaTypeName(v LValue) string {
	if v == nil {
		return "nil"
	}
	return v.Type().String()
}

// compareError raises Lua's ordering error for lhs and rhs.
func (ls *LState) compareError(lhs, rhs LValue) {
	t1, t2 := luaTypeName(lhs), luaTypeName(rhs)
	if t1 == t2 {
		ls.runError("attempt to compare two %s values", t1)
	}
	ls.runError("attempt to compare %s with %s", t1, t2)
}

// runError raises as luaG_runerror: with the position of the running
// function only when that is a Lua function (a comparison inside
// table.sort has none).
func (ls *LState) runError(format string, args ...interface{}) {
	if cf := ls.currentFrame; cf != nil && cf.Fn != nil && cf.Fn.IsG {
		ls.raiseError(0, format, args...)
	}
	ls.RaiseError(format, args...)
}

// currentInst returns the instruction the current Lua frame is running.
func (ls *LState) currentInst() (uint32, bool) {
	cf := ls.currentFrame
	if cf == nil || cf.Fn == nil || cf.Fn.IsG || cf.Pc < 1 || cf.Pc > len(cf.Fn.Proto.Code) {
		return 0, false
	}
	return cf.Fn.Proto.Code[cf.Pc-1], true
}

// rkReg returns the absolute register of an RK operand, or -1 for a
// constant.
func (ls *LState) rkReg(rk int) int {
	if opIsK(rk) {
		return -1
	}
	return ls.currentFrame.LocalBase + rk
}

// indexedReg returns the register holding the object the current
// instruction indexes, or -1.
func (ls *LState) indexedReg() int {
	inst, ok := ls.currentInst()
	if !ok {
		return -1
	}
	switch opGetOpCode(inst) {
	case OP_GETTABLE, OP_GETTABLEKS, OP_SELF:
		return ls.currentFrame.LocalBase + opGetArgB(inst)
	case OP_SETTABLE, OP_SETTABLEKS:
		return ls.currentFrame.LocalBase + opGetArgA(inst)
	}
	return -1
}

// varInfo names the variable in absolute register reg of the current
// frame: its kind ("local", "global", "field", "upvalue", "method") and
// name, or "" when it cannot tell.
func (ls *LState) varInfo(reg int) (string, string) {
	cf := ls.currentFrame
	if reg < 0 || cf == nil || cf.Fn == nil || cf.Fn.IsG {
		return "", ""
	}
	r := reg - cf.LocalBase
	if r < 0 {
		return "", ""
	}
	return getObjName(cf.Fn, cf.Pc-1, r)
}

func constName(p *FunctionProto, k int) (string, bool) {
	if k < 0 || k >= len(p.Constants) {
		return "", false
	}
	s, ok := p.Constants[k].(LString)
	return string(s), ok
}

// getObjName finds how register reg got its value before pc, scanning
// back for the instruction that last wrote it (ldebug.c's getobjname).
func getObjName(fn *LFunction, pc, reg int) (string, string) {
	if name, ok := localName(fn.Proto, reg+1, pc); ok {
		return "local", name
	}
	p := fn.Proto
	for i := pc - 1; i >= 0; i-- {
		inst := p.Code[i]
		op := opGetOpCode(inst)
		a := opGetArgA(inst)
		switch op {
		case OP_GETGLOBAL:
			if a == reg {
				if s, ok := constName(p, opGetArgBx(inst)); ok {
					return "global", s
				}
				return "", ""
			}
		case OP_MOVE:
			if a == reg {
				if b := opGetArgB(inst); b < a {
					return getObjName(fn, i, b)
				}
				return "", ""
			}
		case OP_GETTABLE, OP_GETTABLEKS:
			if a == reg {
				if c := opGetArgC(inst); opIsK(c) {
					if s, ok := constName(p, opIndexK(c)); ok {
						return "field", s
					}
				}
				return "field", "?"
			}
		case OP_GETUPVAL:
			if a == reg {
				if b := opGetArgB(inst); b < len(p.DbgUpvalues) {
					return "upvalue", p.DbgUpvalues[b]
				}
				return "upvalue", "?"
			}
		case OP_SELF:
			if a == reg {
				if c := opGetArgC(inst); opIsK(c) {
					if s, ok := constName(p, opIndexK(c)); ok {
						return "method", s
					}
				}
				return "", ""
			}
			if a+1 == reg {
				return "", ""
			}
		case OP_SETGLOBAL, OP_SETUPVAL, OP_SETTABLE, OP_SETTABLEKS, OP_JMP, OP_EQ, OP_LT, OP_LE,
			OP_TEST, OP_RETURN, OP_SETLIST, OP_CLOSE:
			// these do not write R(A)
		case OP_LOADNIL:
			if reg >= a && reg <= opGetArgB(inst) {
				return "", ""
			}
		case OP_CALL, OP_TAILCALL, OP_TFORLOOP:
			if reg >= a {
				return "", ""
			}
		default:
			if a == reg {
				return "", ""
			}
		}
	}
	return "", ""
}

// indexError raises Lua's error for indexing curobj (reached from obj
// through __index chains).
func (ls *LState) indexError(obj, curobj LValue) {
	reg := -1
	if obj == curobj {
		reg = ls.indexedReg()
	}
	ls.typeErrorAt("index", curobj, reg)
}

// localName is luaF_getlocalname: the name of the n-th active local at pc.
func localName(p *FunctionProto, n, pc int) (string, bool) {
	for i := 0; i < len(p.DbgLocals) && p.DbgLocals[i].StartPc <= pc; i++ {
		if pc < p.DbgLocals[i].EndPc {
			n--
			if n == 0 {
				return p.DbgLocals[i].Name, true
			}
		}
	}
	return "", false
}
