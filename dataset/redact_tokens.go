package dataset

import (
	"slices"
	"strings"
)

// Token boundaries. A credential is redacted only as a whole word, and the
// word is made of ASCII letters, digits and '_' plus the characters of the
// token's own alphabet ('-' for Google, GitLab, Slack, OpenAI keys and
// JWTs):
//
//   - the prefix (AKIA, ghp_, glpat-, ...) must not continue a word: the byte
//     before it is not a word byte, so "xghp_..." or "my-glpat-..." is
//     part of a longer identifier and stays;
//   - the body runs as far as its alphabet allows, so a token ending (or
//     starting) with '-' or '_' is redacted whole, never up to its last
//     letter with the rest left behind;
//   - the whole run must fit the format's length (exactly 35 for Google, 16
//     for AWS, 36 for npm; at least the minimum for the others) and the byte
//     after it must not be a word byte either. A longer run is a longer
//     identifier that merely starts like a token: it is left whole rather
//     than cut in the middle.
//
// Punctuation, quotes, spaces and non-ASCII bytes around a token are
// boundaries. The patterns need this look-around, which Go's regular
// expressions lack, so tokens are found by a scan instead.

// tokenFormat is one credential format: a fixed prefix and a body of
// characters from one alphabet.
type tokenFormat struct {
	prefixes []string
	body     func(byte) bool
	min, max int // body length; max 0: no upper limit
}

var tokenFormats = []tokenFormat{
	{[]string{"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"}, isUpperOrDigit, 16, 16}, // AWS access key ids
	{[]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, isAlnum, 36, 0},                                 // GitHub tokens
	{[]string{"github_pat_"}, isASCIIWord, 22, 0},                                                      // GitHub fine-grained tokens
	{[]string{"glpat-"}, isBase64URL, 20, 0},                                                           // GitLab
	{[]string{"xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"}, isAlnumOrDash, 10, 0},             // Slack
	{[]string{"AIza"}, isBase64URL, 35, 35},                                                            // Google API keys
	{[]string{"sk_live_", "sk_test_", "rk_live_", "rk_test_"}, isAlnum, 16, 0},                         // Stripe
	{[]string{"sk-"}, isBase64URL, 32, 0},                                                              // OpenAI-style API keys
	{[]string{"npm_"}, isAlnum, 36, 36},                                                                // npm
}

func isAlnum(c byte) bool        { return isLetter(c) || isDigit(c) }
func isUpperOrDigit(c byte) bool { return 'A' <= c && c <= 'Z' || isDigit(c) }
func isAlnumOrDash(c byte) bool  { return isAlnum(c) || c == '-' }
func isASCIIWord(c byte) bool    { return isAlnum(c) || c == '_' }
func isBase64URL(c byte) bool    { return isASCIIWord(c) || c == '-' }

// inWord reports whether c continues a word around a token whose body
// alphabet is body.
func inWord(c byte, body func(byte) bool) bool { return isASCIIWord(c) || body(c) }

// startsWord reports whether a token whose body alphabet is body may start
// at s[i].
func startsWord(s string, i int, body func(byte) bool) bool {
	return i == 0 || !inWord(s[i-1], body)
}

// endsWord reports whether a token whose body alphabet is body may end at
// s[i] (exclusive).
func endsWord(s string, i int, body func(byte) bool) bool {
	return i == len(s) || !inWord(s[i], body)
}

// tokenRun is the length of the run of bytes class accepts that s starts with.
func tokenRun(s string, class func(byte) bool) int {
	n := 0
	for n < len(s) && class(s[n]) {
		n++
	}
	return n
}

// end is where the token of format f that starts at s[i] with prefix p
// ends, or -1 when there is none.
func (f *tokenFormat) end(s string, i int, p string) int {
	if !startsWord(s, i, f.body) {
		return -1
	}
	n := tokenRun(s[i+len(p):], f.body)
	e := i + len(p) + n
	if n < f.min || f.max > 0 && n > f.max || !endsWord(s, e, f.body) {
		return -1
	}
	return e
}

// jwtEnd is where the JSON Web Token that starts at s[i] ends, or -1: three
// base64url segments joined by dots, the first two JSON objects (eyJ), each
// segment at least 10 characters past its eyJ.
func jwtEnd(s string, i int) int {
	if !startsWord(s, i, isBase64URL) {
		return -1
	}
	e := i
	for seg := range 3 {
		if seg < 2 {
			if !strings.HasPrefix(s[e:], "eyJ") {
				return -1
			}
			e += 3
		}
		n := tokenRun(s[e:], isBase64URL)
		if n < 10 {
			return -1
		}
		e += n
		if seg < 2 {
			if e == len(s) || s[e] != '.' {
				return -1
			}
			e++
		}
	}
	if !endsWord(s, e, isBase64URL) {
		return -1
	}
	return e
}

// tokenSpans finds every token in s, in order and not overlapping.
func tokenSpans(s string) [][2]int {
	var spans [][2]int
	find := func(p string, end func(i int) int) {
		for off := 0; off < len(s); {
			j := strings.Index(s[off:], p)
			if j < 0 {
				return
			}
			i := off + j
			if e := end(i); e >= 0 {
				spans = append(spans, [2]int{i, e})
				off = e
			} else {
				off = i + 1
			}
		}
	}
	for fi := range tokenFormats {
		f := &tokenFormats[fi]
		for _, p := range f.prefixes {
			find(p, func(i int) int { return f.end(s, i, p) })
		}
	}
	find("eyJ", func(i int) int { return jwtEnd(s, i) })
	if len(spans) < 2 {
		return spans
	}
	// A token inside another one's body (an AWS key id closing a GitLab
	// token) goes with the outer one: the earliest start, then the longest.
	slices.SortFunc(spans, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return b[1] - a[1]
	})
	out := spans[:1]
	for _, sp := range spans[1:] {
		if sp[0] >= out[len(out)-1][1] {
			out = append(out, sp)
		}
	}
	return out
}

// redactTokens replaces every credential of tokenFormats (and every JWT)
// with <TOKEN>.
func redactTokens(s string, counts map[string]int) string {
	spans := tokenSpans(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString(placeholders[RedactToken])
		counts[RedactToken]++
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
