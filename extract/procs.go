package extract

import (
	"runtime"
	"sync"
)

// Parsing workers spend most of their time in calls into C. While a
// goroutine is in such a call its processor (a GOMAXPROCS slot) counts as
// in a system call, and when no processor is idle the runtime's monitor
// takes it away after 20 µs and wakes every 20 µs to check again; the
// worker then has to win a processor back when the call returns. With as
// many workers as processors that costs extraction about 5% of its CPU
// time (measured on 2 cores: 40% more context switches, a third more
// system time). One processor beyond the workers keeps one idle, which the
// monitor leaves the calls alone for.
var spare struct {
	sync.Mutex
	users int // runs holding a reservation
	prev  int // GOMAXPROCS before the first of them
	want  int // the largest worker count + 1 among them
}

// reserveProcs raises GOMAXPROCS to workers+1 while a run needs it and
// returns the function that gives it back; the setting the process had is
// restored when the last run holding a reservation ends.
func reserveProcs(workers int) (release func()) {
	spare.Lock()
	defer spare.Unlock()
	if spare.users == 0 {
		spare.prev, spare.want = runtime.GOMAXPROCS(0), 0
	}
	spare.users++
	if want := workers + 1; want > spare.want {
		spare.want = want
		if want > runtime.GOMAXPROCS(0) {
			runtime.GOMAXPROCS(want)
		}
	}
	return func() {
		spare.Lock()
		defer spare.Unlock()
		if spare.users--; spare.users == 0 && runtime.GOMAXPROCS(0) != spare.prev {
			runtime.GOMAXPROCS(spare.prev)
		}
	}
}
