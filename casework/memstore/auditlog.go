package memstore

import (
	"iter"
	"maps"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
)

// auditLog keeps the audit chain as rows (RowWriter) in chunks of bytes:
// an entry as a struct in a slice cost 224 bytes and its request id's
// copy, and the slice's growth copied it all, twice live at once; a row
// costs about 110, and a chunk, once full, is never copied. The row of
// entry i holds its Hash first (the next row's PrevHash is read from
// there and not kept again), then its Seq as its distance from i+1, its
// time, its actor, unit, action and record type as numbered strings, its
// record and request ids, its PayloadDigest (one byte when all zeros)
// and its PrevHash (one byte when it is the previous entry's Hash). So a
// log tampered with (memhook) keeps what it was given.
//
// Payloads, packed (packer), are kept by Seq: payloads[seq-1] for the
// Seqs the chain runs through, odd for any other (a tampered log's).
type auditLog struct {
	chunks   [][]byte
	pos      []uint64 // entry i's row: chunk<<32 | offset
	payloads [][]byte // by Seq-1; nil: none
	odd      map[int64][]byte
	buf      []byte // add's scratch
}

// auditChunk is the size of a chunk of rows.
const auditChunk = 64 << 10

func (l *auditLog) len() int { return len(l.pos) }

// row is entry i's row.
func (l *auditLog) row(i int) []byte {
	c, off := int(l.pos[i]>>32), int(uint32(l.pos[i]))
	end := len(l.chunks[c])
	if i+1 < len(l.pos) && int(l.pos[i+1]>>32) == c {
		end = int(uint32(l.pos[i+1]))
	}
	return l.chunks[c][off:end]
}

// hash is entry i's Hash.
func (l *auditLog) hash(i int) (h [32]byte) {
	if i >= 0 {
		copy(h[:], l.row(i))
	}
	return h
}

// head is the newest entry's head.
func (l *auditLog) head(syms *Symbols) (casework.AuditHead, error) {
	n := len(l.pos)
	if n == 0 {
		return casework.AuditHead{}, nil
	}
	r := NewRowReader(syms, l.row(n - 1)[32:], true)
	seq := int64(n) + r.Int()
	return casework.AuditHead{Seq: seq, Hash: l.hash(n - 1)}, r.err
}

// add appends e as the next entry.
func (l *auditLog) add(syms *Symbols, e *casework.AuditEntry) {
	n := len(l.pos)
	w := NewRowWriter(syms, l.buf)
	w.B = append(w.B, e.Hash[:]...)
	w.Int(e.Seq - int64(n+1))
	w.Time(e.Time)
	w.Sym(e.ActorID)
	w.Sym(e.UnitID)
	w.Sym(e.Action)
	w.Sym(e.RecordType)
	w.Text(e.RecordID)
	w.Text(e.RequestID)
	if e.PayloadDigest == ([32]byte{}) {
		w.Bool(false)
	} else {
		w.Bool(true)
		w.B = append(w.B, e.PayloadDigest[:]...)
	}
	if e.PrevHash == l.hash(n-1) {
		w.Bool(false)
	} else {
		w.Bool(true)
		w.B = append(w.B, e.PrevHash[:]...)
	}
	l.buf = w.B
	c := len(l.chunks) - 1
	if c < 0 || len(l.chunks[c])+len(w.B) > cap(l.chunks[c]) {
		l.chunks = append(l.chunks, make([]byte, 0, max(auditChunk, len(w.B))))
		c++
	}
	l.pos = append(l.pos, uint64(c)<<32|uint64(len(l.chunks[c])))
	l.chunks[c] = append(l.chunks[c], w.B...)
}

// entry reads entry i.
func (l *auditLog) entry(syms *Symbols, i int) (casework.AuditEntry, error) {
	row := l.row(i)
	e := casework.AuditEntry{Hash: l.hash(i)}
	r := NewRowReader(syms, row[32:], false)
	e.Seq = int64(i+1) + r.Int()
	e.Time = r.Time()
	e.ActorID, e.UnitID, e.Action, e.RecordType = r.Sym(), r.Sym(), r.Sym(), r.Sym()
	e.RecordID, e.RequestID = r.Text(), r.Text()
	if r.Bool() {
		copy(e.PayloadDigest[:], r.raw(32))
	}
	if r.Bool() {
		copy(e.PrevHash[:], r.raw(32))
	} else {
		e.PrevHash = l.hash(i - 1)
	}
	if err := r.Err(); err != nil {
		return casework.AuditEntry{}, err
	}
	return e, nil
}

// isOf reports whether entry i is of the record; typ is its record type's
// number (0: a type no entry names).
func (l *auditLog) isOf(syms *Symbols, i int, typ uint64, recordID string) bool {
	r := NewRowReader(syms, l.row(i)[32:], true)
	r.Int()
	r.Time()
	r.Uint()
	r.Uint()
	r.Uint()
	return r.Uint() == typ && r.Text() == recordID && r.err == nil
}

// payload is the packed payload of the entry numbered seq; nil for none.
func (l *auditLog) payload(seq int64) []byte {
	if seq >= 1 && seq <= int64(len(l.payloads)) {
		return l.payloads[seq-1]
	}
	return l.odd[seq]
}

// seqs yields the Seq of every payload kept.
func (l *auditLog) seqs() iter.Seq[int64] {
	return func(yield func(int64) bool) {
		for i, p := range l.payloads {
			if p != nil && !yield(int64(i)+1) {
				return
			}
		}
		for seq := range l.odd {
			if !yield(seq) {
				return
			}
		}
	}
}

// setPayload keeps p (nil: none) as the payload of the entry numbered seq.
func (l *auditLog) setPayload(seq int64, p []byte) {
	switch {
	case seq >= 1 && seq <= int64(len(l.payloads)):
		l.payloads[seq-1] = p
	case seq == int64(len(l.payloads))+1:
		l.payloads = append(l.payloads, p)
	case p == nil:
		delete(l.odd, seq)
	default:
		if l.odd == nil {
			l.odd = map[int64][]byte{}
		}
		l.odd[seq] = p
	}
}

// mark is where the log ends, for a snapshot; undo puts the log back as
// it was at a mark.
type auditMark struct {
	n, chunks, last int
	payloads        [][]byte
	odd             map[int64][]byte
}

func (l *auditLog) mark() auditMark {
	m := auditMark{n: len(l.pos), chunks: len(l.chunks), payloads: slices.Clone(l.payloads), odd: maps.Clone(l.odd)}
	if m.chunks > 0 {
		m.last = len(l.chunks[m.chunks-1])
	}
	return m
}

func (l *auditLog) undo(m auditMark) {
	l.pos = l.pos[:m.n]
	clear(l.chunks[m.chunks:])
	l.chunks = l.chunks[:m.chunks]
	if m.chunks > 0 {
		l.chunks[m.chunks-1] = l.chunks[m.chunks-1][:m.last]
	}
	l.payloads, l.odd = m.payloads, m.odd
}
