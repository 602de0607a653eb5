package eval

import (
	"fmt"
	"sort"
)

// PassAt summarizes execution outcomes: the mean over tasks of the unbiased
// pass@1 and pass@k estimates. In eval.json the two scores are the keys
// "pass@1" and "pass@k", with k beside them.
type PassAt struct {
	K       int        `json:"k"`
	Pass1   float64    `json:"pass@1"`
	PassK   float64    `json:"pass@k"`
	Tasks   int        `json:"tasks"`
	Samples int        `json:"samples"`
	PerTask []TaskPass `json:"per_task"`
}

// TaskPass counts one task's samples (N) and how many passed (C).
type TaskPass struct {
	TaskID string `json:"task_id"`
	N      int    `json:"n"`
	C      int    `json:"c"`
}

// ScorePassAt computes pass@1 and pass@k from outcomes. k <= 0 means the
// smallest number of samples any task has; a task with fewer than k samples
// is an error, since pass@k is not defined for it.
func ScorePassAt(outcomes []Outcome, k int) (PassAt, error) {
	counts := map[string]*TaskPass{}
	for _, o := range outcomes {
		tp := counts[o.TaskID]
		if tp == nil {
			tp = &TaskPass{TaskID: o.TaskID}
			counts[o.TaskID] = tp
		}
		tp.N++
		if o.Passed() {
			tp.C++
		}
	}
	if len(counts) == 0 {
		return PassAt{}, fmt.Errorf("pass@k: no outcomes")
	}
	res := PassAt{Tasks: len(counts), Samples: len(outcomes)}
	for _, tp := range counts {
		res.PerTask = append(res.PerTask, *tp)
	}
	sort.Slice(res.PerTask, func(i, j int) bool { return res.PerTask[i].TaskID < res.PerTask[j].TaskID })
	if k <= 0 {
		k = res.PerTask[0].N
		for _, tp := range res.PerTask {
			k = min(k, tp.N)
		}
	}
	res.K = k
	for _, tp := range res.PerTask {
		p1, _ := PassAtK(tp.N, tp.C, 1)
		pk, ok := PassAtK(tp.N, tp.C, k)
		if !ok {
			return PassAt{}, fmt.Errorf("pass@%d: task %s has only %d samples", k, tp.TaskID, tp.N)
		}
		res.Pass1 += p1
		res.PassK += pk
	}
	res.Pass1 /= float64(res.Tasks)
	res.PassK /= float64(res.Tasks)
	return res, nil
}
