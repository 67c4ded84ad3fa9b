package main

import "testing"

func TestCPUTimes(t *testing.T) {
	tests := []struct {
		name        string
		stat        string
		idle, total uint64
		err         bool
	}{
		{"aggregate line first", "cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 50 2 25 400 10 1 1 0 0 0\n", 820, 980, false},
		{"short kernel (four fields)", "cpu 10 0 10 80\n", 80, 100, false},
		{"no aggregate line", "cpu0 1 2 3 4 5\nintr 1\n", 0, 0, true},
		{"not a number", "cpu 1 x 3 4 5\n", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idle, total, err := cpuTimes(tt.stat)
			if (err != nil) != tt.err {
				t.Fatalf("err %v, want error %v", err, tt.err)
			}
			if idle != tt.idle || total != tt.total {
				t.Errorf("idle %d total %d, want %d %d", idle, total, tt.idle, tt.total)
			}
		})
	}
}
