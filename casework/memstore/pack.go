package memstore

import (
	"encoding/binary"
	"errors"
	"slices"
)

// packer keeps the documents the database stores whole but reads rarely,
// audit payloads and request-key results, compressed against a dictionary:
// a recent document of the same kind (an audit action, a record type).
// Documents of one kind repeat their field names and most values (units,
// staff, kinds), so a 900-byte create payload keeps about 120 bytes: the
// memory backend holds every record in the heap, and these were over half
// of it. Every renewEvery documents a kind's dictionary is replaced by its
// current document, so that it follows what is written (the demo city
// first, then a load); old dictionaries stay, for the documents packed
// with them.
//
// The code is LZ77 against the dictionary and the document itself, with no
// entropy coding: DEFLATE with a preset dictionary kept a third less but
// cost 20–30 µs a document, most of it clearing its 512 KB hash table.
//
// pack runs under the database's write lock; unpack under either lock.
type packer struct {
	dicts  [][]byte // dictionary id-1 → its bytes, never changed
	kinds  map[string]*packKind
	tables []*packTable // the most recently used first, at most maxPackTables
	buf    []byte       // pack's scratch: the dictionary, then the document
	out    []byte       // pack's scratch: the packed document
}

// packKind is a kind's current dictionary and how many documents of the
// kind were packed.
type packKind struct {
	dict, packed int
}

// packTable is a dictionary's hash table: for each hash of 4 bytes, 1 + the
// last position in the dictionary where they start (0: none).
type packTable struct {
	dict int
	pos  [1 << packHashBits]int32
}

const (
	maxPackTables = 4
	packHashBits  = 12
	// maxDict bounds a dictionary: a few KB of a kind's document hold every
	// field name and repeated value of the next ones.
	maxDict = 4 << 10
	// minMatch is the shortest copy: a shorter one costs as much as it saves.
	minMatch = 4
	// renewEvery is how many documents of a kind are packed with one
	// dictionary: dictionaries (at most maxDict each) stay a few bytes a
	// document, and their hash tables are built rarely.
	renewEvery = 256
)

var errPacked = errors.New("memstore: a packed document is corrupt")

func newPacker() *packer { return &packer{kinds: map[string]*packKind{}} }

// pack returns doc packed: the uvarint id of its dictionary (0: none, doc
// follows as is), then the code. An empty kind, or a document the code
// would not shrink, is kept as is.
func (p *packer) pack(kind string, doc []byte) []byte {
	return slices.Clone(p.appendPacked(nil, kind, doc))
}

// appendPacked appends doc packed to dst.
func (p *packer) appendPacked(dst []byte, kind string, doc []byte) []byte {
	if kind == "" || len(doc) == 0 {
		return append(append(dst, 0), doc...)
	}
	k := p.kinds[kind]
	if k == nil {
		k = &packKind{}
		p.kinds[kind] = k
	}
	if k.packed%renewEvery == 0 {
		k.dict = p.newDict(doc)
	}
	k.packed++
	out := p.encode(k.dict, doc)
	if len(out) > len(doc) {
		return append(append(dst, 0), doc...)
	}
	return append(dst, out...)
}

// raw is doc packed with no dictionary.
func raw(doc []byte) []byte {
	return append([]byte{0}, doc...)
}

// newDict keeps (the start of) doc as a dictionary and returns its id.
func (p *packer) newDict(doc []byte) int {
	p.dicts = append(p.dicts, slices.Clone(doc[:min(len(doc), maxDict)]))
	return len(p.dicts)
}

func hash4(b []byte) uint32 {
	return (binary.LittleEndian.Uint32(b) * 2654435761) >> (32 - packHashBits)
}

// table returns dictionary id's hash table, moved to the front.
func (p *packer) table(id int) *packTable {
	for i, t := range p.tables {
		if t.dict == id {
			copy(p.tables[1:i+1], p.tables[:i])
			p.tables[0] = t
			return t
		}
	}
	t := &packTable{dict: id}
	dict := p.dicts[id-1]
	for i := 0; i+minMatch <= len(dict); i++ {
		t.pos[hash4(dict[i:])] = int32(i + 1)
	}
	if len(p.tables) < maxPackTables {
		p.tables = append(p.tables, nil)
	}
	copy(p.tables[1:], p.tables)
	p.tables[0] = t
	return t
}

// encode returns doc coded against dictionary id, in p's scratch. The code
// is a series of literals (see appendLiterals) and (unless the document
// ends there) a copy: the uvarint distance back from the end of what is
// decoded so far, the dictionary before it, and the uvarint length past
// minMatch.
func (p *packer) encode(id int, doc []byte) []byte {
	dict := p.dicts[id-1]
	t := p.table(id)
	pos := t.pos // a copy: the document's positions go in this one only
	p.buf = append(append(p.buf[:0], dict...), doc...)
	buf := p.buf
	out := binary.AppendUvarint(p.out[:0], uint64(id))
	lit := len(dict) // where the pending literals start
	for i := len(dict); i+minMatch <= len(buf); {
		h := hash4(buf[i:])
		cand := int(pos[h]) - 1
		pos[h] = int32(i + 1)
		if cand < 0 || binary.LittleEndian.Uint32(buf[cand:]) != binary.LittleEndian.Uint32(buf[i:]) {
			i++
			continue
		}
		n := minMatch
		for i+n < len(buf) && buf[cand+n] == buf[i+n] {
			n++
		}
		out = appendLiterals(out, buf[lit:i])
		out = binary.AppendUvarint(out, uint64(i-cand))
		out = binary.AppendUvarint(out, uint64(n-minMatch))
		for j := i + 1; j < i+n && j+minMatch <= len(buf); j++ {
			pos[hash4(buf[j:])] = int32(j + 1)
		}
		i += n
		lit = i
	}
	out = appendLiterals(out, buf[lit:])
	p.out = out
	return out
}

// minHex is the shortest run of lowercase hex digits kept two to a byte:
// documents name hashes in hex (an audit payload's "after" is 64 digits),
// which no dictionary holds.
const minHex = 16

// appendLiterals appends lits as segments, each a uvarint of its length
// times 4, plus 2 when it is hex (its digits follow two to a byte) and 1
// when more segments follow; else its bytes follow as they are.
func appendLiterals(out, lits []byte) []byte {
	for {
		start, end := hexRun(lits)
		if end-start < minHex {
			out = binary.AppendUvarint(out, uint64(len(lits))<<2)
			return append(out, lits...)
		}
		if start > 0 {
			out = binary.AppendUvarint(out, uint64(start)<<2|1)
			out = append(out, lits[:start]...)
		}
		out = binary.AppendUvarint(out, uint64(end-start)<<2|2|1)
		for i := start; i < end; i += 2 {
			out = append(out, unhex(lits[i])<<4|unhex(lits[i+1]))
		}
		lits = lits[end:]
	}
}

// hexRun is the first run of at least minHex lowercase hex digits in b,
// cut to an even length; an empty run when there is none.
func hexRun(b []byte) (start, end int) {
	for i := 0; i < len(b); {
		if !isHex(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && isHex(b[j]) {
			j++
		}
		if n := (j - i) &^ 1; n >= minHex {
			return i, i + n
		}
		i = j
	}
	return 0, 0
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

const hexDigits = "0123456789abcdef"

// unpack returns the document packed in b; nil for nil.
func (p *packer) unpack(b []byte) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	id, n := binary.Uvarint(b)
	if n <= 0 || id > uint64(len(p.dicts)) {
		return nil, errPacked
	}
	b = b[n:]
	if id == 0 {
		return slices.Clone(b), nil
	}
	dict := p.dicts[id-1]
	size, err := decode(b, dict, nil, true)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, size)
	_, err = decode(b, dict, &out, false)
	return out, err
}

// decode runs the code in b against dict, appending to *out; with dry it
// only checks the code and counts the bytes it makes.
func decode(b, dict []byte, out *[]byte, dry bool) (int, error) {
	made := 0
	for {
		seg, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, errPacked
		}
		b = b[n:]
		lits, hex, cont := seg>>2, seg&2 != 0, seg&1 != 0
		size := lits
		if hex {
			if lits%2 != 0 {
				return 0, errPacked
			}
			size = lits / 2
		}
		if size > uint64(len(b)) {
			return 0, errPacked
		}
		if !dry {
			if hex {
				for _, c := range b[:size] {
					*out = append(*out, hexDigits[c>>4], hexDigits[c&15])
				}
			} else {
				*out = append(*out, b[:size]...)
			}
		}
		made += int(lits)
		b = b[size:]
		if cont {
			continue
		}
		if len(b) == 0 {
			return made, nil
		}
		dist, n := binary.Uvarint(b)
		b = b[n:]
		more, m := binary.Uvarint(b)
		b = b[max(m, 0):]
		if n <= 0 || m <= 0 || more > 1<<30 || dist == 0 || (dry && dist > uint64(made)+uint64(len(dict))) {
			return 0, errPacked
		}
		if !dry {
			// A copy reaches back into the dictionary, which the encoder
			// saw before the document, and may overlap what it makes.
			from := len(dict) + len(*out) - int(dist)
			for i := range int(more) + minMatch {
				if j := from + i; j < len(dict) {
					*out = append(*out, dict[j])
				} else {
					*out = append(*out, (*out)[j-len(dict)])
				}
			}
		}
		made += int(more) + minMatch
	}
}
