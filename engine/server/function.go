package server

// Functions: FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL,
// FCALL and FCALL_RO.

type functions struct{ sc *scripting }

func newFunctions(sc *scripting) *functions { return &functions{sc: sc} }

func functionCommands() []*Command { return nil }
