package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/ident"
)

var (
	surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志宏海燕鹏飞庆花春兴福德文俊")
)

// districtOf is the administrative code a resident ID of the branch's area
// starts with (the development zones lie in 张店区).
func districtOf(code string) string {
	switch code {
	case "370391", "370392", "370393":
		return "370303"
	}
	return code
}

// residentID is a valid 18-digit resident identity number: the area, the
// birth date, a sequence (odd for men) and the ISO 7064 MOD 11-2 check
// character.
func residentID(area string, birth time.Time, seq int) string {
	body := fmt.Sprintf("%s%s%03d", area, birth.Format("20060102"), seq)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// person records the n-th resident at station st, as the kernel's
// CreatePerson stores one: the document sealed and blind-indexed, masked
// copies, sensitive tags sealed.
func (g *gen) person(st *station, n int, tags []casework.Tag, at time.Time) (personRef, error) {
	// n → (birth day, sequence) is one to one below 25 million people:
	// 7919 is prime to 25,000.
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (n*7919)%25000)
	doc := residentID(districtOf(ziboBranches[st.branch].Code), birth, (n/25000)%1000)
	id := g.id("p")
	gender := casework.GenderUnknown
	if sex, ok := ident.Gender(casework.DocResidentID, doc); ok {
		gender = casework.Gender(sex)
	}
	name := string(pick(g, surnames)) + string(pick(g, given))
	if g.rng.IntN(2) == 0 {
		name += string(pick(g, given))
	}
	rec := casework.PersonRecord{ID: id, UnitID: st.unit.ID, Name: name, Gender: gender, BirthDate: birth, DocType: casework.DocResidentID,
		DocMasked: ident.MaskDocument(casework.DocResidentID, doc), Address: "淄博市" + st.short + "辖区", Version: 1, CreatedAt: at, UpdatedAt: at}
	var secret []casework.Tag
	for _, t := range tags {
		if t.Sensitive() {
			secret = append(secret, t)
		} else {
			rec.Tags = append(rec.Tags, t)
		}
	}
	ctx := g.ctx
	var err error
	if rec.DocSealed, err = g.sealer.Seal(ctx, []byte(doc), []byte("person:"+id+":doc")); err != nil {
		return personRef{}, err
	}
	if rec.DocIndex, err = g.sealer.BlindIndex(ctx, "person.doc", []byte(string(casework.DocResidentID)+":"+doc)); err != nil {
		return personRef{}, err
	}
	if len(secret) > 0 {
		b, _ := json.Marshal(secret)
		if rec.SealedTags, err = g.sealer.Seal(ctx, b, []byte("person:"+id+":tags")); err != nil {
			return personRef{}, err
		}
	}
	if err := g.wr.person(ctx, st.officers[0], rec); err != nil {
		return personRef{}, err
	}
	g.sampled("person", id)
	return personRef{id: id, docIndex: rec.DocIndex}, nil
}

// residents records n residents spread over the stations by weight, before
// the history starts; one in four is a difficult family's.
func (g *gen) residents(n int, at time.Time) error {
	for range n {
		st := g.pickStation()
		var tags []casework.Tag
		switch r := g.rng.IntN(100); {
		case r < 25:
			tags = []casework.Tag{casework.TagDifficultFamily}
		case r < 28:
			tags = []casework.Tag{casework.TagKeyPerson}
		case r < 31:
			tags = []casework.Tag{casework.TagSpecialPerson}
		}
		p, err := g.person(st, g.persons, tags, at)
		if err != nil {
			return err
		}
		g.persons++
		st.persons = append(st.persons, p)
	}
	// Every station has residents to visit, however small its share.
	for _, st := range g.stations {
		for len(st.persons) < 4 {
			p, err := g.person(st, g.persons, nil, at)
			if err != nil {
				return err
			}
			g.persons++
			st.persons = append(st.persons, p)
		}
	}
	return nil
}

// identValidate is the kernel's check of a resident id.
func identValidate(doc string, now time.Time) error {
	return ident.Validate(casework.DocResidentID, doc, now)
}
