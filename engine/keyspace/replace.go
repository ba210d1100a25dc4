package keyspace

// ReplaceObject installs obj as e's value in place of its current object,
// keeping the key, its expire and its LRU data, and updates memory
// accounting. Collections use it when a change gives them a new
// representation (an encoding conversion, a compact value that had to
// grow into a new allocation). Call Mutate(e) before changing the old
// object; e stays valid.
func (db *DB) ReplaceObject(e Entry, obj Object) {
	(*objEntry)(e.p).obj = obj
	db.Changed(e)
}
