package source

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Expand replaces each @FILE argument by the sources listed in FILE, one
// per line; blank lines and # comments are skipped.
func Expand(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		list, ok := strings.CutPrefix(a, "@")
		if !ok {
			out = append(out, a)
			continue
		}
		lines, err := readList(list)
		if err != nil {
			return nil, err
		}
		out = append(out, lines...)
	}
	return out, nil
}

func readList(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read source list: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read source list %s: %w", name, err)
	}
	return out, nil
}
