package report

import "testing"

// TestFigures: the one way figures are printed, in reports, the contracts
// table and the dashboard alike.
func TestFigures(t *testing.T) {
	for _, tc := range []struct {
		x                 float64
		whole, money, gap string
	}{
		{0, "0", "£0k", "£0k"},
		{-0.3, "0", "£0k", "£0k"},
		{0.4, "0", "£0k", "£0k"},
		{12.5, "13", "£13k", "+£13k"},
		{1234567, "1,234,567", "£1,234,567k", "+£1,234,567k"},
		{-7500, "-7,500", "-£7,500k", "-£7,500k"},
		{-999.6, "-1,000", "-£1,000k", "-£1,000k"},
	} {
		if got := Whole(tc.x); got != tc.whole {
			t.Errorf("Whole(%v) = %q, want %q", tc.x, got, tc.whole)
		}
		if got := Money(tc.x); got != tc.money {
			t.Errorf("Money(%v) = %q, want %q", tc.x, got, tc.money)
		}
		if got := SignedMoney(tc.x); got != tc.gap {
			t.Errorf("SignedMoney(%v) = %q, want %q", tc.x, got, tc.gap)
		}
	}
}
