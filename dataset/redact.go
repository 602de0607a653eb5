package dataset

import (
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redaction kinds: the keys of Counts.Redactions, and the placeholder each
// redacted span is replaced with.
const (
	RedactEmail      = "email"
	RedactIP         = "ip_address"
	RedactPrivateKey = "private_key"
	RedactToken      = "token"
	RedactSecret     = "secret"
)

var placeholders = map[string]string{
	RedactEmail: "<EMAIL>", RedactIP: "<IP_ADDRESS>", RedactPrivateKey: "<PRIVATE_KEY>",
	RedactToken: "<TOKEN>", RedactSecret: "<SECRET>",
}

var (
	privateKeyRe = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----(?s:.*?)-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`)
	emailRe      = regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b`)
	ipv4Re       = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	ipv6Re       = regexp.MustCompile(`\b[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b`)
	secretName   = regexp.MustCompile(`(?i)` + strings.Join(secretWords, "|"))
)

// secretWords are the lower-case words that, in any case, make a name
// sound secret.
var secretWords = []string{
	"secret", "token", "passw", "pwd", "apikey", "api_key", "accesskey", "access_key", "privatekey", "private_key",
	"credential", "auth",
}

// isSecretName reports whether secretName matches name. ASCII names, nearly
// all, are searched without the regular expression: beyond ASCII, Unicode
// case folding makes U+017F an s and U+212A a k.
func isSecretName(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return secretName.MatchString(name)
		}
	}
	return slices.ContainsFunc(secretWords, func(w string) bool { return containsFold(name, w) })
}

// exampleDomains are documentation addresses, not personal data.
var exampleDomains = []string{"example.com", "example.org", "example.net", "localhost"}

// isPersonalEmail tells an address worth redacting from one at an example
// domain.
func isPersonalEmail(m string) bool {
	domain := strings.ToLower(m[strings.LastIndexByte(m, '@')+1:])
	for _, d := range exampleDomains {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return false
		}
	}
	return true
}

// tokenHints are substrings every token format contains: a cheap test
// that spares most code the token regular expression.
var tokenHints = []string{
	"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
	"github_pat_", "glpat-", "xox", "AIza", "k_live_", "k_test_", "sk-", "npm_", "eyJ",
}

// tokenAnchors finds tokenHints in one byte search per anchor.
var tokenAnchors = newAnchoredHints(tokenHints)

// anchoredHints finds which of a set of short strings occur in a text by
// searching for one byte of each, its anchor, chosen to be rare in code (a
// symbol or upper-case letter where the string has one). Strings that share
// an anchor share its search, and candidates are checked only where the
// anchor occurs.
type anchoredHints []anchorGroup

type anchorGroup struct {
	anchor byte
	hints  []anchoredHint
}

type anchoredHint struct {
	hint string
	at   int // offset of the anchor in hint
}

func newAnchoredHints(hints []string) anchoredHints {
	var a anchoredHints
	for _, h := range hints {
		at := 0
		for i := range len(h) {
			if anchorRank(h[i]) < anchorRank(h[at]) {
				at = i
			}
		}
		g := slices.IndexFunc(a, func(g anchorGroup) bool { return g.anchor == h[at] })
		if g < 0 {
			a, g = append(a, anchorGroup{anchor: h[at]}), len(a)
		}
		a[g].hints = append(a[g].hints, anchoredHint{h, at})
	}
	return a
}

// anchorRank orders bytes by how common they are in code: lower-case
// letters most, then digits, then upper-case letters, then the rest.
func anchorRank(c byte) int {
	switch {
	case 'a' <= c && c <= 'z':
		return 3
	case '0' <= c && c <= '9':
		return 2
	case 'A' <= c && c <= 'Z':
		return 1
	}
	return 0
}

// in reports whether any of the hints occurs in s.
func (a anchoredHints) in(s string) bool {
	for _, g := range a {
		for i := 0; i < len(s); i++ {
			j := strings.IndexByte(s[i:], g.anchor)
			if j < 0 {
				break
			}
			i += j
			for _, h := range g.hints {
				if i >= h.at && strings.HasPrefix(s[i-h.at:], h.hint) {
					return true
				}
			}
		}
	}
	return false
}

// Redact replaces secrets and personal data in s with placeholders such as
// <EMAIL> and adds what it replaced to counts (by kind). Each regular
// expression runs only when a cheap scan finds what it needs.
func Redact(s string, counts map[string]int) string {
	if strings.Contains(s, "PRIVATE KEY") {
		s = replace(s, privateKeyRe, RedactPrivateKey, counts, nil)
	}
	if tokenAnchors.in(s) {
		s = redactTokens(s, counts)
	}
	s = redactSecrets(s, counts)
	if hasEmailShape(s) {
		s = replace(s, emailRe, RedactEmail, counts, isPersonalEmail)
	}
	return redactIPs(s, counts)
}

// hasEmailShape reports whether s holds what every match of emailRe does:
// an @ between a character of the local part and one of the domain, the
// domain's run of letters, digits, hyphens and dots holding a dot and two
// letters.
func hasEmailShape(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		j := strings.IndexByte(s[i:len(s)-1], '@')
		if j < 0 {
			return false
		}
		if i += j; !isEmailLocal(s[i-1]) || !isDomainByte(s[i+1]) || s[i+1] == '.' {
			continue
		}
		end := i + 1
		for end < len(s) && isDomainByte(s[end]) {
			end++
		}
		domain := s[i+1 : end]
		for k := 1; k+2 < len(domain); k++ {
			if domain[k] == '.' && isLetter(domain[k+1]) && isLetter(domain[k+2]) {
				return true
			}
		}
	}
	return false
}

func isLetter(c byte) bool     { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDomainByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '-' || c == '.' }
func isEmailLocal(c byte) bool { return isDomainByte(c) || c == '_' || c == '%' || c == '+' }

// redactIPs runs each address expression only where a byte search finds
// its shape. IPv6 keeps its older test, a colon between hex digits, beside
// the shape: a match need not have one (1::x), and redaction has always
// skipped those.
func redactIPs(s string, counts map[string]int) string {
	if hasDottedQuad(s) {
		s = replaceIPs(s, ipv4Re, counts)
	}
	if hasAround(s, ':', isHexDigit) && hasColonPair(s) {
		s = replaceIPs(s, ipv6Re, counts)
	}
	return s
}

// hasAround reports whether sep occurs between two bytes that class accepts.
func hasAround(s string, sep byte, class func(byte) bool) bool {
	for i := 1; i+1 < len(s); i++ {
		j := strings.IndexByte(s[i:len(s)-1], sep)
		if j < 0 {
			return false
		}
		if i += j; class(s[i-1]) && class(s[i+1]) {
			return true
		}
	}
	return false
}

// hasDottedQuad reports whether s holds four dot-separated runs of one to
// three digits, as every match of ipv4Re does.
func hasDottedQuad(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		j := strings.IndexByte(s[i:len(s)-1], '.')
		if j < 0 {
			return false
		}
		if i += j; !isDigit(s[i-1]) {
			continue
		}
		dot := i
		for range 2 {
			if n := classRun(s[dot+1:], isDigit); n >= 1 && n <= 3 && dot+1+n < len(s) && s[dot+1+n] == '.' {
				dot += 1 + n
			} else {
				dot = -1
				break
			}
		}
		if dot >= 0 && dot+1 < len(s) && isDigit(s[dot+1]) {
			return true
		}
	}
	return false
}

// hasColonPair reports whether s holds a hex digit, a colon, at most four
// hex digits and a colon, as every match of ipv6Re does.
func hasColonPair(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		j := strings.IndexByte(s[i:len(s)-1], ':')
		if j < 0 {
			return false
		}
		if i += j; !isHexDigit(s[i-1]) {
			continue
		}
		if n := classRun(s[i+1:], isHexDigit); n <= 4 && i+1+n < len(s) && s[i+1+n] == ':' {
			return true
		}
	}
	return false
}

// classRun is the length of the run of bytes class accepts that s starts
// with, counted up to 5.
func classRun(s string, class func(byte) bool) int {
	n := 0
	for n < len(s) && n < 5 && class(s[n]) {
		n++
	}
	return n
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// replace substitutes every match of re that keep accepts (nil: all).
func replace(s string, re *regexp.Regexp, kind string, counts map[string]int, keep func(string) bool) string {
	if !re.MatchString(s) {
		return s
	}
	return re.ReplaceAllStringFunc(s, func(m string) string {
		if keep != nil && !keep(m) {
			return m
		}
		counts[kind]++
		return placeholders[kind]
	})
}

// replaceIPs redacts public addresses only: loopback, private, link-local
// and unspecified addresses are not personal, and dotted numbers that run
// on (1.2.3.4.5) are versions or OIDs, not addresses.
func replaceIPs(s string, re *regexp.Regexp, counts map[string]int) string {
	locs := re.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		m := s[l[0]:l[1]]
		if !isPublicIP(m) || l[0] > 0 && strings.ContainsRune(".:", rune(s[l[0]-1])) ||
			l[1]+1 < len(s) && s[l[1]] == '.' && isDigit(s[l[1]+1]) || isSectionNumber(s[:l[0]], m) {
			continue
		}
		b.WriteString(s[last:l[0]])
		b.WriteString(placeholders[RedactIP])
		counts[RedactIP]++
		last = l[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// isSectionNumber tells document references ("RFC 8785, section 3.2.2.3")
// and well-known resolvers (8.8.8.8) from addresses: four single-digit
// parts, or a number after a word such as "section" or "version".
func isSectionNumber(before, m string) bool {
	if len(m) == 7 && strings.Count(m, ".") == 3 {
		return true
	}
	before = strings.ToLower(strings.TrimRight(before, " \t"))
	for _, w := range []string{"section", "sec.", "§", "version", "chapter", "clause", "table", "figure"} {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	return false
}

func isPublicIP(m string) bool {
	if strings.Count(m, ":") > 0 && strings.Count(m, ":") < 3 {
		return false // too short to tell from code like a::b
	}
	ip, err := netip.ParseAddr(m)
	if err != nil {
		return false
	}
	return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() ||
		ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}))
}

// redactSecrets replaces string literals assigned to a name (name = "...",
// name := '...', name: "...", "name": "...", name => "...") when they look
// like credentials: high entropy, or a secret-sounding name and some entropy.
func redactSecrets(s string, counts map[string]int) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		q := s[i]
		if q != '"' && q != '\'' && q != '`' {
			continue
		}
		end := i + 1
		for end < len(s) && s[end] != q && s[end] != ' ' && s[end] != '\t' && s[end] != '\n' {
			end++
		}
		if end >= len(s) || s[end] != q {
			continue
		}
		value := s[i+1 : end]
		if len(value) >= 12 && looksSecret(assignedName(s[:i]), value) {
			b.WriteString(s[last : i+1])
			b.WriteString(placeholders[RedactSecret])
			counts[RedactSecret]++
			last = end
		}
		i = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// assignedName reads backwards from a string literal over an assignment
// operator to the name assigned to; "" when there is no assignment.
func assignedName(before string) string {
	t := strings.TrimRight(before, " \t")
	switch {
	case strings.HasSuffix(t, ":="), strings.HasSuffix(t, "=>"):
		t = t[:len(t)-2]
	case strings.HasSuffix(t, "="), strings.HasSuffix(t, ":"):
		t = t[:len(t)-1]
	default:
		return ""
	}
	if strings.HasSuffix(t, "=") || strings.HasSuffix(t, "!") || strings.HasSuffix(t, "<") || strings.HasSuffix(t, ">") {
		return "" // a comparison, not an assignment
	}
	t = strings.TrimRight(t, " \t")
	t = strings.TrimRight(t, "\"'")
	k := len(t)
	for k > 0 && isWordByte(t[k-1]) {
		k--
	}
	return t[k:]
}

func looksSecret(name, value string) bool {
	if name == "" || strings.HasPrefix(value, "<") { // not assigned, or already a placeholder
		return false
	}
	if strings.ContainsAny(value[:1], "$%{") { // a template or environment reference
		return false
	}
	h := entropy(value)
	if isSecretName(name) {
		// Words and identifiers ("Authorization") are names, not secrets.
		return h >= 2.5 && strings.ContainsFunc(value, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' })
	}
	return len(value) >= 20 && h >= 4.5
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	var freq [256]int
	for i := 0; i < len(s); i++ {
		freq[s[i]]++
	}
	h := 0.0
	for _, f := range freq {
		if f > 0 {
			p := float64(f) / float64(len(s))
			h -= p * math.Log2(p)
		}
	}
	return h
}
