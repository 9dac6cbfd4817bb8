package recovery

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/grassroots-policing/grassroots/casework"
)

// PropertyQuery is what a scene survey knows about stolen property
// (快勘查 · 同步比对): identifiers, category, a description, when and where
// it was taken, and the unit that surveyed. CompareProperty compares it
// with the recovered-property register. It is the kernel's type, since
// casework's PropertyLedger names it.
type PropertyQuery = casework.PropertyQuery

// PropertyMatch is one ranked candidate of a comparison: the item, its
// state, the score and the reasons behind it. A score of 1 or more means an
// identifier matched exactly; below 1 it is the weighted similarity of
// category, description, time and place.
type PropertyMatch = casework.PropertyMatch

// Side is one side of a comparison: the reported theft or the found item.
type Side struct {
	Category    string
	Description string
	Identifiers []casework.Identifier // normalised
	At          time.Time             // stolen at, or recovered at
	Place       string
	UnitPath    string
}

// Weights tune the scored match. DefaultWeights were fitted on the tuning
// half of the labelled corpus in testdata/ (TestTuneMatcher's grid search,
// run with GRASSROOTS_LONG=1, finds no weights that rank its reports
// better) and are checked on the held-out half, which they never saw.
type Weights struct {
	Category    float64
	Description float64
	Time        float64
	Place       float64
	// HalfLifeDays is how many days after the theft a find scores half on
	// time: most stolen e-bikes and phones surface within weeks.
	HalfLifeDays float64
	// Conflict multiplies the score when both sides carry an identifier of
	// the same distinctive kind (IMEI, frame, engine, plate) and none of them
	// agree: two phones with different IMEIs are different phones.
	Conflict float64
	// Before multiplies the score when the item was found more than a day
	// before the theft: it cannot be the stolen one, unless a date is wrong.
	Before float64
	// MinScore drops candidates below it.
	MinScore float64
}

// DefaultWeights are the fitted weights.
var DefaultWeights = Weights{Category: 0.25, Description: 0.45, Time: 0.15, Place: 0.15, HalfLifeDays: 20, Conflict: 0.2, Before: 0.3, MinScore: 0.15}

// Score compares a reported theft with a found item. Exact identifier
// matches come first: exact is true and score is 1 plus the similarity, so
// they rank above every scored match and among themselves by similarity.
// The reasons explain the score to the officer who confirms the match.
func Score(w Weights, stolen, found Side) (score float64, exact bool, reasons []string) {
	for _, a := range stolen.Identifiers {
		for _, b := range found.Identifiers {
			if a.Value != "" && a.Value == b.Value && kindsComparable(a.Kind, b.Kind) {
				exact = true
				reasons = append(reasons, fmt.Sprintf("identifier %s %s matches", b.Kind, b.Value))
			}
		}
	}
	cat := categoryAffinity(stolen.Category, found.Category)
	switch {
	case cat == 1:
		reasons = append(reasons, "same category "+found.Category)
	case cat > 0:
		reasons = append(reasons, "related category "+stolen.Category+"/"+found.Category)
	}
	desc := TextSimilarity(stolen.Description, found.Description)
	if desc > 0 {
		reasons = append(reasons, fmt.Sprintf("description similarity %.2f", desc))
	}
	tm, before := timeAffinity(w, stolen.At, found.At)
	if !stolen.At.IsZero() && !found.At.IsZero() {
		days := found.At.Sub(stolen.At).Hours() / 24
		if before {
			reasons = append(reasons, fmt.Sprintf("found %.0f days before the theft", -days))
		} else {
			reasons = append(reasons, fmt.Sprintf("found %.0f days after the theft", math.Max(days, 0)))
		}
	}
	pl := PlaceSimilarity(stolen.Place, found.Place)
	un := unitAffinity(stolen.UnitPath, found.UnitPath)
	if un == 1 {
		reasons = append(reasons, "same unit")
	}
	if pl > 0 {
		reasons = append(reasons, fmt.Sprintf("place similarity %.2f", pl))
	}
	place := math.Max(pl, 0.5*pl+0.5*un)
	score = w.Category*cat + w.Description*desc + w.Time*tm + w.Place*place
	if before {
		score *= w.Before
	}
	if !exact {
		if k, ok := conflicting(stolen.Identifiers, found.Identifiers); ok {
			score *= w.Conflict
			reasons = append(reasons, k+" numbers differ")
		}
	}
	score = math.Round(score*1000) / 1000
	if exact {
		score++
	}
	return score, exact, reasons
}

// timeAffinity scores the delay between theft and find: 1 on the day,
// half after HalfLifeDays, decaying slowly after (hyperbolic, so an item
// found after months still scores something). An unknown time is neutral.
func timeAffinity(w Weights, stolen, found time.Time) (float64, bool) {
	if stolen.IsZero() || found.IsZero() {
		return 0.5, false
	}
	d := found.Sub(stolen)
	if d < -24*time.Hour {
		return 0, true
	}
	days := math.Max(d.Hours()/24, 0)
	hl := w.HalfLifeDays
	if hl <= 0 {
		hl = 20
	}
	return hl / (hl + days), false
}

// unitAffinity scores how close two units are in the tree: 1 for the same
// unit, 0.7 when one lies under the other, 0.5 for siblings.
func unitAffinity(a, b string) float64 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return 1
	case casework.Contains(a, b) || casework.Contains(b, a):
		return 0.7
	case parentPath(a) != "" && parentPath(a) == parentPath(b):
		return 0.5
	}
	return 0
}

func parentPath(p string) string {
	p = strings.TrimSuffix(p, "/")
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return ""
	}
	return p[:i+1]
}

// conflicting reports a distinctive identifier kind that both sides carry
// with no value in common.
func conflicting(a, b []casework.Identifier) (string, bool) {
	for _, k := range []string{IDIMEI, IDFrame, IDEngine, IDPlate} {
		var va, vb []string
		for _, id := range a {
			if id.Kind == k {
				va = append(va, id.Value)
			}
		}
		for _, id := range b {
			if id.Kind == k {
				vb = append(vb, id.Value)
			}
		}
		if len(va) > 0 && len(vb) > 0 && !slices.ContainsFunc(va, func(v string) bool { return slices.Contains(vb, v) }) {
			return k, true
		}
	}
	return "", false
}

// synonyms fold the many names of the same things in Chinese theft reports
// to one form before bigrams are taken, longest first so that 电动自行车
// is not half-replaced by 电动车: the common names of e-bikes, batteries,
// phones, cages, gold, cash and cigarettes in Zibo case records.
var synonyms = strings.NewReplacer(
	"电动自行车", "电动车",
	"电瓶车", "电动车",
	"电单车", "电动车",
	"电摩", "电动车",
	"小电驴", "电动车",
	"摩托车", "摩托",
	"机车", "摩托",
	"移动电话", "手机",
	"iphone", "苹果手机",
	"蓄电池", "电瓶",
	"电池", "电瓶",
	"笼子", "鸟笼",
	"雀笼", "鸟笼",
	"项链", "金链",
	"黄金", "金",
	"人民币", "现金",
	"现钞", "现金",
	"香烟", "烟",
	"卷烟", "烟",
	"白酒", "酒",
)

// normText prepares free text for comparison: widths folded, letters
// lower-cased, synonyms folded, and everything but letters and digits
// dropped (punctuation and spaces carry no meaning here).
func normText(s string) []rune {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(unicode.ToLower(casework.FoldWidth(r)))
	}
	folded := synonyms.Replace(b.String())
	out := make([]rune, 0, len(folded))
	for _, r := range folded {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, r)
		}
	}
	return out
}

// bigrams returns the character bigrams of text as a multiset. A
// one-character text is its own gram, so short descriptions still compare.
func bigrams(r []rune) map[string]int {
	m := map[string]int{}
	if len(r) == 1 {
		m[string(r)]++
	}
	for i := 0; i+1 < len(r); i++ {
		m[string(r[i:i+2])]++
	}
	return m
}

// TextSimilarity is the Dice coefficient of two texts' character bigrams:
// 2·|A∩B| / (|A|+|B|), 0 to 1. Bigrams suit Chinese, which has no spaces
// between words and whose two-character words carry most of the meaning
// (白色, 雅迪, 车筐).
func TextSimilarity(a, b string) float64 {
	ga, gb := bigrams(normText(a)), bigrams(normText(b))
	na, nb := 0, 0
	for _, n := range ga {
		na += n
	}
	for _, n := range gb {
		nb += n
	}
	if na == 0 || nb == 0 {
		return 0
	}
	common := 0
	for g, n := range ga {
		common += min(n, gb[g])
	}
	return 2 * float64(common) / float64(na+nb)
}

// PlaceSimilarity compares two place descriptions. Administrative prefixes
// (淄博市, 张店区) are shared by most places of one district, so they are
// weighed by what follows them: the Dice coefficient of the bigrams after
// the longest common prefix is averaged with the plain one.
func PlaceSimilarity(a, b string) float64 {
	if strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" {
		return 0
	}
	plain := TextSimilarity(a, b)
	ra, rb := normText(a), normText(b)
	n := 0
	for n < len(ra) && n < len(rb) && ra[n] == rb[n] {
		n++
	}
	if n == len(ra) && n == len(rb) {
		return 1
	}
	rest := TextSimilarity(string(ra[n:]), string(rb[n:]))
	return (plain + rest) / 2
}

// Rank sorts matches best first (ties by item id, so the order is stable)
// and keeps at most limit.
func Rank(ms []PropertyMatch, limit int) []PropertyMatch {
	slices.SortFunc(ms, func(a, b PropertyMatch) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ItemID, b.ItemID)
	})
	if limit > 0 && len(ms) > limit {
		ms = ms[:limit]
	}
	return ms
}
