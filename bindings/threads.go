package bindings

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// DefaultThreads is the thread count used when none is given: the physical
// cores, less those the 1-minute load average says are busy, and at least
// 1. ggml's threads busy-wait at every graph node, so one thread more than
// the free cores can make a step many times slower.
func DefaultThreads() int {
	n := physicalCores()
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if load, err := strconv.ParseFloat(f[0], 64); err == nil {
				n -= int(load + 0.5)
			}
		}
	}
	return max(1, n)
}

// physicalCores counts distinct (package, core) pairs in sysfs, so that SMT
// siblings count once; without sysfs it is runtime.NumCPU().
func physicalCores() int {
	logical := runtime.NumCPU()
	ids, _ := filepath.Glob("/sys/devices/system/cpu/cpu[0-9]*/topology/core_id")
	cores := map[string]bool{}
	for _, p := range ids {
		core, err1 := os.ReadFile(p)
		pkg, err2 := os.ReadFile(filepath.Join(filepath.Dir(p), "physical_package_id"))
		if err1 != nil || err2 != nil {
			return logical
		}
		cores[strings.TrimSpace(string(pkg))+"/"+strings.TrimSpace(string(core))] = true
	}
	if len(cores) == 0 || len(cores) > logical {
		return logical
	}
	return len(cores)
}
