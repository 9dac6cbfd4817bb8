package casework_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

func TestCreatePersonValidation(t *testing.T) {
	t.Parallel()
	w := newKernelWorld(t, kernelBackends["memory"](t), nil)
	ctx := context.Background()
	base := casework.PersonInput{UnitID: w.station.ID, Name: "陈某某", DocType: casework.DocResidentID, DocNumber: "11010519491231002X"}
	tests := []struct {
		name  string
		edit  func(*casework.PersonInput)
		field string
		rule  string
	}{
		{"wrong check digit", func(p *casework.PersonInput) { p.DocNumber = "110105194912310021" }, "docNumber", "check_digit"},
		{"wrong length", func(p *casework.PersonInput) { p.DocNumber = "11010519491231002" }, "docNumber", "length"},
		{"no name", func(p *casework.PersonInput) { p.Name = "" }, "name", "required"},
		{"unknown document type", func(p *casework.PersonInput) { p.DocType = "library_card" }, "docType", "doc_type"},
		{"landline as mobile", func(p *casework.PersonInput) { p.Phone = "05332345678" }, "phone", "cn_mobile"},
		{"birth date contradicts ID", func(p *casework.PersonInput) { p.BirthDate = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC) }, "birthDate", "matches_document"},
		{"gender contradicts ID", func(p *casework.PersonInput) { p.Gender = casework.GenderMale }, "gender", "matches_document"},
		{"unknown tag", func(p *casework.PersonInput) { p.Tags = []casework.Tag{"vip"} }, "tags[0]", "code"},
		{"unidentified without description", func(p *casework.PersonInput) {
			p.Name, p.DocType, p.DocNumber, p.Unidentified = "", casework.DocNone, "", true
		}, "description", "required"},
	}
	for _, tc := range tests {
		in := base
		tc.edit(&in)
		_, err := w.k.CreatePerson(ctx, w.officer, in)
		var inv *casework.InvalidError
		require.ErrorAs(t, err, &inv, tc.name)
		require.Contains(t, inv.Fields, casework.FieldError{Field: tc.field, Rule: tc.rule, Message: fieldMessage(inv, tc.field)}, tc.name)
	}
	p, err := w.k.CreatePerson(ctx, w.officer, base)
	require.NoError(t, err)
	require.Equal(t, casework.GenderFemale, p.Gender, "gender read from the ID")
	require.Equal(t, time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC), p.BirthDate, "birth date read from the ID")
	suspect, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Unidentified: true, Description: "男，约30岁，身穿灰色外套"})
	require.NoError(t, err)
	require.True(t, suspect.Unidentified)
}

func fieldMessage(inv *casework.InvalidError, field string) string {
	for _, f := range inv.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

func TestCreatePersonRequestKey(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		in := casework.PersonInput{UnitID: w.station.ID, Name: "孟庆花", Gender: casework.GenderFemale, RequestKey: "req-1"}
		const workers = 16
		var wg sync.WaitGroup
		results := make([]casework.Person, workers)
		errs := make([]error, workers)
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = w.k.CreatePerson(ctx, w.officer, in)
			}()
		}
		wg.Wait()
		for i := range workers {
			require.NoError(t, errs[i])
			require.Equal(t, results[0].ID, results[i].ID, "every repeat returns the first result")
		}
		list, _, err := w.k.FindPersons(ctx, w.officer, casework.PersonQuery{Name: "孟庆花"})
		require.NoError(t, err)
		require.Len(t, list, 1, "the same key used concurrently creates exactly one person")

		changed := in
		changed.Name = "孟庆华"
		_, err = w.k.CreatePerson(ctx, w.officer, changed)
		require.ErrorIs(t, err, casework.ErrConflict, "same key, different request")
		_, err = w.k.CreatePerson(ctx, w.supervisor, in)
		require.NoError(t, err, "keys are scoped to the actor")
	})
}

func TestRevealIsAudited(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "孟庆花", DocType: casework.DocResidentID,
			DocNumber: "11010519491231002X", Phone: "+86 138-1234-5678", Tags: []casework.Tag{casework.TagSpecialPerson, casework.TagDifficultFamily}})
		require.NoError(t, err)
		require.Equal(t, "110105********002X", p.DocNumber)
		require.Equal(t, "138****5678", p.Phone)
		require.Equal(t, []casework.Tag{casework.TagDifficultFamily}, p.Tags, "sensitive tags hidden")

		_, err = w.k.RevealPerson(ctx, w.officer, p.ID, "")
		require.ErrorIs(t, err, casework.ErrInvalid, "a reveal needs a reason")
		_, err = w.k.RevealPerson(ctx, w.otherOfficer, p.ID, "curious")
		require.ErrorIs(t, err, casework.ErrNotFound, "out of reach")
		r, err := w.k.RevealPerson(ctx, w.officer, p.ID, "上门走访核实身份")
		require.NoError(t, err)
		require.Equal(t, "11010519491231002X", r.DocNumber)
		require.Equal(t, "13812345678", r.Phone)
		require.ElementsMatch(t, []casework.Tag{casework.TagDifficultFamily, casework.TagSpecialPerson}, r.Tags)

		trail, err := w.k.AuditTrail(ctx, w.officer, "person", p.ID)
		require.NoError(t, err)
		require.Len(t, trail, 2)
		require.Equal(t, string(casework.ActionRevealPerson), trail[1].Action)
		require.Equal(t, w.officer.StaffID, trail[1].ActorID)

		found, _, err := w.k.FindPersons(ctx, w.officer, casework.PersonQuery{Phone: "13812345678"})
		require.NoError(t, err)
		require.Len(t, found, 1, "exact search by phone through the blind index")
		_, err = w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "重复", DocType: casework.DocResidentID, DocNumber: "11010519491231002x"})
		require.ErrorIs(t, err, casework.ErrConflict, "one person per document number")
		report, err := w.k.VerifyAudit(ctx, w.auditor)
		require.NoError(t, err)
		require.True(t, report.OK)
	})
}

func TestUpdatePersonCompareAndSwap(t *testing.T) {
	t.Parallel()
	w := newKernelWorld(t, kernelBackends["memory"](t), nil)
	ctx := context.Background()
	p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "赵希兰"})
	require.NoError(t, err)
	in := casework.PersonInput{UnitID: w.station.ID, Name: "赵希兰", Tags: []casework.Tag{casework.TagDisabled, casework.TagDifficultFamily}}
	up, err := w.k.UpdatePerson(ctx, w.officer, p.ID, p.Version, in)
	require.NoError(t, err)
	require.EqualValues(t, 2, up.Version)
	_, err = w.k.UpdatePerson(ctx, w.officer, p.ID, p.Version, in)
	require.True(t, errors.Is(err, casework.ErrConflict))
}
