package keyspace

import (
	"errors"
	"sync/atomic"
)

// Point-in-time snapshots without fork. Every entry carries a parity bit;
// starting a snapshot flips the keyspace's parity, which marks every
// existing entry "not yet saved" and every entry created afterwards
// "saved" (it is not part of the snapshot). An entry is saved exactly once:
// by the snapshot's walk, or by a writer just before it first changes or
// deletes the entry. Either way the saver flips the entry's bit.

// Preserver receives, exactly once, every key that existed when a snapshot
// began, with its value as it was then. It is called under the key's shard
// lock, by the walk or by a writer about to change the key, and must copy
// what it needs before returning.
type Preserver interface {
	Preserve(db int, e Entry)
}

type snapshot struct {
	p      Preserver
	parity byte
}

// Snapshot is a running point-in-time snapshot.
type Snapshot struct {
	ks *Keyspace
	sn *snapshot
}

// ErrSnapshotRunning is returned when a snapshot is already in progress.
var ErrSnapshotRunning = errors.New("keyspace: a snapshot is already in progress")

type parityState struct{ bit atomic.Uint32 }

func (ks *Keyspace) parityBit() byte { return byte(ks.parity.bit.Load()) }

// BeginSnapshot starts a snapshot. The caller holds the server's exclusive
// lock so the start is a single point in time; writes may resume as soon
// as it returns.
func (ks *Keyspace) BeginSnapshot(p Preserver) (*Snapshot, error) {
	if ks.snap.Load() != nil {
		return nil, ErrSnapshotRunning
	}
	parity := byte(ks.parity.bit.Load()) ^ flagSnap
	ks.parity.bit.Store(uint32(parity))
	sn := &snapshot{p: p, parity: parity}
	ks.snap.Store(sn)
	return &Snapshot{ks: ks, sn: sn}, nil
}

// Walk saves every entry not saved yet, one shard at a time, locking each
// shard only while it is walked. It must be called with no lock held.
func (s *Snapshot) Walk() {
	for _, db := range s.ks.dbs {
		s.drain(db)
	}
}

// End finishes the snapshot; call it after Walk.
func (s *Snapshot) End() { s.ks.snap.CompareAndSwap(s.sn, nil) }

func (s *Snapshot) drain(db *DB) { s.sn.drain(db) }

func (sn *snapshot) drain(db *DB) {
	for i := range db.shards {
		sh := &db.shards[i]
		sh.mu.Lock()
		for _, p := range sh.t.Slots {
			if p != nil && flags(p)&flagSnap != sn.parity {
				sn.save(db, sh, p)
			}
		}
		sh.mu.Unlock()
	}
}

func (sn *snapshot) save(db *DB, s *shard, p entryPtr) {
	sn.p.Preserve(db.id, Entry{p: p, s: s})
	setFlags(p, flags(p)&^flagSnap|sn.parity)
}

// flushed is called before db is emptied: what is unsaved is saved now.
func (sn *snapshot) flushed(db *DB) { sn.drain(db) }

// preserve runs before any change to entry p.
func (db *DB) preserve(s *shard, p entryPtr) {
	sn := db.ks.snap.Load()
	if sn == nil || flags(p)&flagSnap == sn.parity {
		return
	}
	sn.save(db, s, p)
}
