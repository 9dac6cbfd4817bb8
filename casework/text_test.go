package casework_test

import (
	"errors"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/stretchr/testify/require"
)

func TestCheckTextAndLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value      string
		max        int
		text, line string // expected rule, "" = accepted
	}{
		{"邻里噪音纠纷", 6, "", ""},
		{"邻里噪音纠纷", 5, "max", "max"},
		{"line one\nline two\tend", 0, "", "text"},
		{"nul\x00byte", 0, "text", "text"},
		{"escape\x1b[31m", 0, "text", "text"},
		{"carriage\rreturn", 0, "text", "text"},
		{"bad \xff utf8", 0, "utf8", "utf8"},
		{"", 0, "", ""},
	}
	for _, tc := range tests {
		for _, c := range []struct {
			check func(string, string, int) error
			want  string
		}{{casework.CheckText, tc.text}, {casework.CheckLine, tc.line}} {
			err := c.check("note", tc.value, tc.max)
			if c.want == "" {
				require.NoError(t, err, "%q", tc.value)
				continue
			}
			var inv *casework.InvalidError
			require.ErrorAs(t, err, &inv, "%q", tc.value)
			require.True(t, errors.Is(err, casework.ErrInvalid))
			require.Equal(t, "note", inv.Fields[0].Field)
			require.Equal(t, c.want, inv.Fields[0].Rule, "%q", tc.value)
		}
	}
}

type textInner struct {
	Name string    `json:"name" validate:"line"`
	Note string    `json:"note"`
	At   time.Time `json:"at"`
}

type textInput struct {
	Title  string            `json:"title" validate:"required"`
	Inner  *textInner        `json:"inner"`
	List   []textInner       `json:"list"`
	Labels map[string]string `json:"labels"`
	Secret string            `json:"-"`
	Raw    []byte            `json:"raw"`
}

func TestValidateAppliesTextAndDateRulesEverywhere(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	k, err := casework.New(memstore.New(), &casework.Config{Clock: casework.NewFixedClock(now)})
	require.NoError(t, err)
	ok := textInner{Name: "张三", Note: "两行\n备注", At: now}
	tests := []struct {
		name  string
		in    textInput
		field string
		rule  string
	}{
		{"accepted", textInput{Title: "t", Inner: &ok, List: []textInner{ok}, Labels: map[string]string{"k": "v"}, Raw: []byte{0, 0xff}, Secret: "\x00"}, "", ""},
		{"NUL in a nested pointer", textInput{Title: "t", Inner: &textInner{Note: "a\x00b"}}, "inner.note", "text"},
		{"newline in a one-line field in a slice", textInput{Title: "t", List: []textInner{ok, {Name: "a\nb"}}}, "list[1].name", "text"},
		{"invalid UTF-8 at the top", textInput{Title: "\xc3("}, "title", "utf8"},
		{"map value", textInput{Title: "t", Labels: map[string]string{"k": "\x07"}}, "labels.k", "text"},
		{"year 1", textInput{Title: "t", Inner: &textInner{At: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)}}, "inner.at", "date_range"},
		{"year 9999", textInput{Title: "t", List: []textInner{{At: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}}}, "list[0].at", "date_range"},
		{"before 1900", textInput{Title: "t", Inner: &textInner{At: time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)}}, "inner.at", "date_range"},
	}
	for _, tc := range tests {
		err := k.Validate(tc.in)
		if tc.field == "" {
			require.NoError(t, err, tc.name)
			continue
		}
		var inv *casework.InvalidError
		require.ErrorAs(t, err, &inv, tc.name)
		require.Equal(t, tc.field, inv.Fields[0].Field, tc.name)
		require.Equal(t, tc.rule, inv.Fields[0].Rule, tc.name)
	}
}

func TestDatesAheadIsConfigurable(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	k, err := casework.New(memstore.New(), &casework.Config{Clock: casework.NewFixedClock(now), DatesAhead: 24 * time.Hour})
	require.NoError(t, err)
	require.NoError(t, k.Validate(textInput{Title: "t", Inner: &textInner{At: now.Add(12 * time.Hour)}}))
	var inv *casework.InvalidError
	require.ErrorAs(t, k.Validate(textInput{Title: "t", Inner: &textInner{At: now.Add(48 * time.Hour)}}), &inv)
	require.Equal(t, "inner.at", inv.Fields[0].Field)
	require.Equal(t, "date_range", inv.Fields[0].Rule)
}
