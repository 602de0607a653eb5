package extract

import (
	"context"
	"testing"
)

func TestOptionsRejected(t *testing.T) {
	dir := t.TempDir()
	for name, o := range map[string]Options{
		"no output":        {Sources: []string{dir}},
		"no sources":       {Out: dir + "/ds", CacheDir: dir},
		"unknown language": {Sources: []string{dir}, Out: dir + "/ds", CacheDir: dir, Languages: []string{"cobol"}},
		"val ratio 1":      {Sources: []string{dir}, Out: dir + "/ds", CacheDir: dir, ValRatio: 1},
	} {
		if _, err := Run(context.Background(), o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
