package memstore

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// payload is a visit's create payload as the audit log keeps it, with the
// parts that differ from visit to visit filled in.
func payload(i int) []byte {
	return fmt.Appendf(nil, `{"after":"%064x","before":"","diff":[{"field":"createdAt","new":"2026-12-04T18:49:47.%06dZ","old":null},`+
		`{"field":"id","new":"01M91687JGVRQ99C25A%07d","old":null},{"field":"notes","new":"压测前的走访","old":null},`+
		`{"field":"officerIds","new":["01M91687JCKEHMX1CXHXAGEVH4"],"old":null},{"field":"personId","new":"01M91687JC8KT6ZE3V2R7SWX44","old":null},`+
		`{"field":"targetKind","new":"difficult_family","old":null},{"field":"unitId","new":"01E76RGS00X91WJYZYMJ5RMFGJ","old":null},`+
		`{"field":"updatedAt","new":"2026-12-04T18:49:47.%06dZ","old":null},{"field":"version","new":1,"old":null}]}`, i*7919, i, i, i)
}

func TestPackKeepsSimilarDocumentsSmall(t *testing.T) {
	t.Parallel()
	p := newPacker()
	const n = 4 * renewEvery
	total, size := 0, 0
	for i := range n {
		doc := payload(i)
		b := p.pack("visit.record", doc)
		got, err := p.unpack(b)
		require.NoError(t, err)
		require.Equal(t, string(doc), string(got))
		total, size = total+len(b), len(doc)
	}
	// Each differs from the dictionary in a hash, an id and two times.
	require.Less(t, total/n, size/4, "a payload of %d bytes packs to %d on average", size, total/n)
	require.Len(t, p.dicts, n/renewEvery, "a dictionary every renewEvery documents")
}

func TestPackFollowsWhatIsWritten(t *testing.T) {
	t.Parallel()
	p := newPacker()
	p.pack("visit.record", []byte(`{"something":"else entirely","that":"shares little with a payload"}`))
	first := p.pack("visit.record", payload(1))
	var last []byte
	for i := range renewEvery {
		last = p.pack("visit.record", payload(i))
	}
	require.Len(t, p.dicts, 2)
	require.Less(t, len(last), len(first)/2, "packed against a payload, not the first document")
}

func TestPackKeepsWhatItCannotShrink(t *testing.T) {
	t.Parallel()
	p := newPacker()
	for _, tc := range []struct {
		name, kind string
		doc        []byte
	}{
		{"no kind", "", []byte(`{"a":1}`)},
		{"empty", "k", []byte{}},
		{"tiny", "t", []byte(`{}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := p.pack(tc.kind, tc.doc)
			require.Equal(t, byte(0), b[0], "kept as is")
			got, err := p.unpack(b)
			require.NoError(t, err)
			require.Equal(t, string(tc.doc), string(got))
		})
	}
	got, err := p.unpack(nil)
	require.NoError(t, err)
	require.Nil(t, got)
}

func TestUnpackRefusesCorruptDocuments(t *testing.T) {
	t.Parallel()
	p := newPacker()
	p.pack("k", payload(0))
	good := p.pack("k", payload(1))
	require.Greater(t, good[0], byte(0))
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"no dictionary id", []byte{}},
		{"unknown dictionary", []byte{9, 0}},
		{"literals past the end", []byte{1, 50, 'a'}},
		{"copy from before the dictionary", []byte{1, 0, 0x80, 0x80, 0x01, 0}},
		{"copy of nothing back", []byte{1, 0, 0, 0}},
		{"cut short", good[:len(good)/2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.unpack(tc.b)
			require.ErrorIs(t, err, errPacked)
		})
	}
}

// TestPackRoundTrips packs random documents of a few kinds, each often a
// mutation of an earlier one, and reads every one back as it was.
func TestPackRoundTrips(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		p := newPacker()
		var docs, packed [][]byte
		for range rapid.IntRange(1, 2*renewEvery).Draw(rt, "docs") {
			var doc []byte
			if len(docs) > 0 && rapid.Bool().Draw(rt, "mutate") {
				doc = append([]byte(nil), docs[rapid.IntRange(0, len(docs)-1).Draw(rt, "base")]...)
				for range rapid.IntRange(0, 8).Draw(rt, "edits") {
					if len(doc) == 0 {
						break
					}
					at := rapid.IntRange(0, len(doc)-1).Draw(rt, "at")
					doc = append(doc[:at], append(rapid.SliceOfN(rapid.Byte(), 0, 6).Draw(rt, "ins"), doc[at:]...)...)
				}
			} else {
				doc = rapid.SliceOfN(rapid.SampledFrom([]byte(`{}":,abc01`)), 0, 300).Draw(rt, "doc")
			}
			kind := rapid.SampledFrom([]string{"", "a", "b"}).Draw(rt, "kind")
			docs, packed = append(docs, doc), append(packed, p.pack(kind, doc))
		}
		for i, b := range packed {
			got, err := p.unpack(b)
			require.NoError(rt, err)
			require.Equal(rt, string(docs[i]), string(got), "document %d", i)
		}
	})
}

// TestPackKeepsHexTwoToAByte: runs of lowercase hex digits (hashes) are
// kept two to a byte, wherever they stand and however long, and every
// document reads back as it was.
func TestPackKeepsHexTwoToAByte(t *testing.T) {
	t.Parallel()
	hash := "ad53d0a258ba7b558eb173a677b8d67c78890731e9b2c4a91f82397ecfaf4bbc"
	for name, doc := range map[string]string{
		"a hash alone":          hash,
		"a hash at the end":     `{"after":"` + hash,
		"a hash at the start":   hash + `","before":""}`,
		"an odd run":            `{"x":"` + hash + `f"}`,
		"two hashes":            `["` + hash + `","` + hash[:40] + `"]`,
		"a short run":           `{"x":"0123456789abcde"}`,
		"upper case":            `{"x":"AD53D0A258BA7B558EB173A677B8D67C"}`,
		"digits next to a hash": `{"n":12345,"h":"` + hash + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := newPacker()
			b := p.pack("k", []byte(doc))
			got, err := p.unpack(b)
			require.NoError(t, err)
			require.Equal(t, doc, string(got))
		})
	}
	p := newPacker()
	p.pack("k", []byte(`{"after":"`+hash+`"}`))
	b := p.pack("k", []byte(`{"after":"9f1c27e04b6a3d58c2e7a1f09b4d6c3e8a2f5b7d1e0c9a4b6d8f2e1c3a5b7d90"}`))
	require.Less(t, len(b), 48, "a new hash against a dictionary with another: 32 bytes of digits and a few of code")
}
