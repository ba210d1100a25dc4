package server

import "testing"

func TestBalanceState(t *testing.T) {
	type step struct {
		busy []float64
		idle float64
		rate float64
		want balanceAction
	}
	none, gather, spread := balanceAction{}, balanceAction{gather: true}, balanceAction{from: 0, to: 1}
	settle := func(busy []float64, idle, rate float64) []step {
		return []step{{busy, idle, rate, none}, {busy, idle, rate, none}}
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"moderate load stays on loop 0", []step{
			{[]float64{0.6, 0}, 1.2, 50000, none},
			{[]float64{0.79, 0}, 1.2, 60000, none},
		}},
		{"saturated loop without a free CPU stays", []step{
			{[]float64{0.9, 0}, 0.2, 80000, none},
			{[]float64{0.95, 0}, 0.49, 80000, none},
		}},
		{"saturated loop with a free CPU spreads and keeps a gain", append(append([]step{
			{[]float64{0.95, 0}, 1.0, 100000, spread}},
			settle([]float64{0.7, 0.7}, 0.5, 150000)...),
			step{[]float64{0.7, 0.7}, 0.5, 150000, none},
			step{[]float64{0.7, 0.7}, 0.5, 150000, none})},
		{"a spread that serves no more is undone and not retried at once", append(append([]step{
			{[]float64{0.85, 0}, 0.6, 80000, spread}},
			settle([]float64{0.5, 0.5}, 0, 70000)...),
			step{[]float64{0.5, 0.5}, 0, 70000, gather},
			step{[]float64{0.85, 0}, 0.6, 80000, none},
			step{[]float64{0.85, 0}, 0.6, 80000, none},
			step{[]float64{0.85, 0}, 0.6, 80000, none})},
		{"the next load after a pause gets a new trial", append(append([]step{
			{[]float64{0.85, 0}, 0.6, 80000, spread}},
			settle([]float64{0.5, 0.5}, 0, 70000)...),
			step{[]float64{0.5, 0.5}, 0, 70000, gather},
			step{[]float64{0, 0}, 1.9, 0, none},
			step{[]float64{0, 0}, 1.9, 0, none},
			step{[]float64{0, 0}, 1.9, 0, none},
			step{[]float64{0.85, 0}, 0.6, 80000, spread})},
		{"the load ending is no failed trial", append(append([]step{
			{[]float64{0.85, 0}, 0.6, 80000, spread}},
			settle([]float64{0.5, 0.5}, 0, 70000)...),
			step{[]float64{0.01, 0.01}, 1.9, 100, gather},
			step{[]float64{0, 0}, 1.9, 0, none},
			step{[]float64{0, 0}, 1.9, 0, none},
			step{[]float64{0.85, 0}, 0.6, 80000, spread})},
		{"a spread load that becomes moderate is gathered", append(append([]step{
			{[]float64{0.95, 0}, 1.0, 100000, spread}},
			settle([]float64{0.7, 0.7}, 0.5, 150000)...),
			step{[]float64{0.7, 0.7}, 0.5, 150000, none},
			step{[]float64{0.25, 0.25}, 1.5, 50000, gather})},
		{"unknown idle CPU: busyness decides", []step{
			{[]float64{0.95, 0}, -1, 100000, spread},
		}},
		{"the busiest loop hands over to the idlest", []step{
			{[]float64{0.3, 0.9, 0.1, 0.5}, 2, 100000, balanceAction{from: 1, to: 2}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var st balanceState
			for i, s := range tc.steps {
				got := st.step(loadSample{busy: s.busy, idle: s.idle, rate: s.rate})
				if got != s.want {
					t.Fatalf("step %d (busy %v, idle %.2f, rate %.0f): got %+v, want %+v", i, s.busy, s.idle, s.rate, got, s.want)
				}
			}
		})
	}
}

func TestParseProcStatIdle(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"cpu  384649 0 184774 92699 1586 0 32156 183 0 0\ncpu0 1 2 3 4 5\n", 92699 + 1586, true},
		{"cpu  1 2 3 4 5", 9, true},
		{"cpu  1 2 3 4", 0, false},
		{"cpu0 1 2 3 4 5 6", 0, false},
		{"", 0, false},
	} {
		got, ok := parseProcStatIdle([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseProcStatIdle(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	var m cpuIdleMeter
	if m.idleCPUs(balanceEvery) >= 0 {
		t.Error("first reading reported idle CPUs")
	}
}
