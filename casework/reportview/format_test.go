package reportview_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/reportview"
)

func TestValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value int64
		unit  string
		want  string
	}{
		{687, "permille", "68.7%"},
		{1000, "permille", "100.0%"},
		{0, "permille", "0.0%"},
		{5, "permille", "0.5%"},
		{-500, "permille", "-50.0%"},
		{12345, "permille", "1,234.5%"},
		{380000, "fen", "¥3,800.00"},
		{1100000000, "fen", "¥11,000,000.00"},
		{5, "fen", "¥0.05"},
		{-1234, "fen", "-¥12.34"},
		{0, "fen", "¥0.00"},
		{137435, "户次", "137,435"},
		{999, "起", "999"},
		{1000, "起", "1,000"},
		{-1000, "起", "-1,000"},
		{0, "", "0"},
		{math.MinInt64, "起", "-9,223,372,036,854,775,808"},
		{math.MinInt64, "fen", "-¥92,233,720,368,547,758.08"},
		{math.MaxInt64, "permille", "922,337,203,685,477,580.7%"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, reportview.Value(casework.Figure{Value: tc.value, Unit: tc.unit}))
		})
	}
}

func TestHeadingAndText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fig           casework.Figure
		heading, text string
	}{
		{casework.Figure{LabelZH: "破案率", Value: 687, Unit: "permille"}, "破案率（%）", "68.7%"},
		{casework.Figure{LabelZH: "发还价值", Value: 380000, Unit: "fen"}, "发还价值（元）", "¥3,800.00"},
		{casework.Figure{LabelZH: "走访困难家庭", Value: 137435, Unit: "户次"}, "走访困难家庭（户次）", "137,435 户次"},
		{casework.Figure{LabelZH: "无单位", Value: 7}, "无单位", "7"},
	}
	for _, tc := range tests {
		t.Run(tc.heading, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.heading, reportview.Heading(tc.fig))
			require.Equal(t, tc.text, reportview.Text(tc.fig))
		})
	}
}
