package ident_test

import (
	"fmt"
	"strconv"
	"time"
)

// testNow is midday in Beijing so that "today" is unambiguous; cases that
// probe the time-zone boundary build their own instant.
var testNow = time.Date(2025, time.June, 15, 12, 0, 0, 0, time.FixedZone("CST", 8*60*60))

// mod112 computes the ISO 7064 MOD 11-2 check character straight from the
// standard's definition, (Σ aᵢ·2^(17-i) + c) ≡ 1 (mod 11), rather than from
// the lookup table the package uses, so the two implementations check each
// other.
func mod112(body string) string {
	if len(body) != 17 {
		panic("mod112: body must be 17 digits")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		d, err := strconv.Atoi(body[i : i+1])
		if err != nil {
			panic(err)
		}
		w := 1
		for range 17 - i {
			w = w * 2 % 11
		}
		sum += d * w
	}
	for c := 0; c <= 10; c++ {
		if (sum+c)%11 == 1 {
			if c == 10 {
				return "X"
			}
			return strconv.Itoa(c)
		}
	}
	panic("unreachable")
}

// withCheck appends the correct check character to a 17-digit body.
func withCheck(body string) string { return body + mod112(body) }

// withCheckChar finds the first 3-digit sequence that, after prefix14, gives
// the wanted check character; used to build X-terminated examples.
func withCheckChar(prefix14, want string) string {
	for seq := 0; seq < 1000; seq++ {
		body := prefix14 + fmt.Sprintf("%03d", seq)
		if mod112(body) == want {
			return body + want
		}
	}
	panic("no sequence gives check " + want)
}

// wrongCheck replaces the check character with a different, well-formed one.
func wrongCheck(id string) string {
	last := id[len(id)-1]
	if last == '0' {
		return id[:len(id)-1] + "1"
	}
	return id[:len(id)-1] + "0"
}
