// Package sample is a fixture.
package sample

import "errors"

// ErrEmpty is returned by Pop.
var ErrEmpty = errors.New("empty")

// Stack is a stack.
type Stack[T any] struct{ items []T }

// Push adds v on top.
// It never fails.
func (s *Stack[T]) Push(v T) {
	s.items = append(s.items, v)
}

// Pop removes the top.
func (s *Stack[T]) Pop() (T, error) {
	var zero T
	if len(s.items) == 0 || s == nil {
		return zero, ErrEmpty
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, nil
}

func helper(n int) int {
	for i := 0; i < n; i++ {
		switch {
		case i%2 == 0:
			n--
		default:
		}
	}
	return n
}

// Assembly stub: a declaration without a body.
func stub(x int) int
