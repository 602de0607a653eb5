package dataset

import (
	"encoding/binary"
	"hash/fnv"
	"regexp"
	"strings"
	"unicode"
)

// The straightforward versions of the hot per-function code, as it was
// before it was tuned: the tests check the tuned code against them.

func refNormalizeCode(code string) string { return strings.Join(strings.Fields(code), " ") }

func refEachToken(code string, fn func(tok string)) {
	for i := 0; i < len(code); {
		c := code[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isWordByte(c):
			j := i + 1
			for j < len(code) && isWordByte(code[j]) {
				j++
			}
			fn(code[i:j])
			i = j
		default:
			fn(code[i : i+1])
			i++
		}
	}
}

func refApproxTokens(code string) int {
	n := 0
	refEachToken(code, func(tok string) { n += 1 + (len(tok)-1)/6 })
	return n
}

func refMinhash(code string) signature {
	var toks []uint64
	refEachToken(code, func(t string) { toks = append(toks, fnv64(t)) })
	var sig signature
	for i := range sig {
		sig[i] = empty
	}
	n := max(len(toks)-shingleLen+1, 1)
	for i := 0; i < n && len(toks) > 0; i++ {
		var sh uint64
		for j, t := range toks[i:min(i+shingleLen, len(toks))] {
			sh ^= t<<(13*j%64) | t>>((64-13*j%64)%64)
		}
		sh = mix64(sh)
		bin, v := sh>>(64-binBits), uint32(sh)
		if v < sig[bin] {
			sig[bin] = v
		}
	}
	densify(&sig)
	return sig
}

// fnv64 is FNV-1a of s.
func fnv64(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func refAlphanumeric(s string) float64 {
	if s == "" {
		return 0
	}
	n, total := 0, 0
	for _, c := range s {
		total++
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			n++
		}
	}
	return float64(n) / float64(total)
}

func refIsGenerated(code string) bool {
	lower := strings.ToLower(code)
	for _, m := range generatedMarkers {
		if strings.Contains(lower, m) {
			return true
		}
	}
	return false
}

func refRedact(s string, counts map[string]int) string {
	if strings.Contains(s, "PRIVATE KEY") {
		s = replace(s, privateKeyRe, RedactPrivateKey, counts, nil)
	}
	for _, h := range tokenHints {
		if strings.Contains(s, h) {
			s = redactTokens(s, counts)
			break
		}
	}
	s = redactSecrets(s, counts)
	if strings.Contains(s, "@") {
		s = replace(s, emailRe, RedactEmail, counts, isPersonalEmail)
	}
	if refHasAround(s, '.', isDigit) {
		s = replaceIPs(s, ipv4Re, counts)
	}
	if refHasAround(s, ':', isHexDigit) {
		s = replaceIPs(s, ipv6Re, counts)
	}
	return s
}

func refHasAround(s string, sep byte, class func(byte) bool) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == sep && class(s[i-1]) && class(s[i+1]) {
			return true
		}
	}
	return false
}

var refSecretName = regexp.MustCompile(`(?i)secret|token|passw|pwd|api_?key|access_?key|private_?key|credential|auth`)

// refDeduper is Deduper as it was before its index was made compact.
type refDeduper struct {
	threshold   float64
	exactOnly   bool
	bands, rows int
	exact       map[[32]byte]struct{}
	buckets     []map[uint64][]int32
	sigs        []signature
}

func newRefDeduper(o DedupOptions) *refDeduper {
	t := o.Threshold()
	d := &refDeduper{threshold: t, exactOnly: o.ExactOnly, exact: map[[32]byte]struct{}{}}
	if !o.ExactOnly {
		d.bands, d.rows = lshParams(t)
		d.buckets = make([]map[uint64][]int32, d.bands)
		for i := range d.buckets {
			d.buckets[i] = map[uint64][]int32{}
		}
	}
	return d
}

func (d *refDeduper) AddFingerprint(f *Fingerprint) Duplicate {
	if _, ok := d.exact[f.Exact]; ok {
		return ExactDuplicate
	}
	d.exact[f.Exact] = struct{}{}
	if d.exactOnly {
		return Unique
	}
	sig := f.sketch
	keys := make([]uint64, d.bands)
	for b := range keys {
		keys[b] = refBandKey(sig[b*d.rows : (b+1)*d.rows])
		for _, c := range d.buckets[b][keys[b]] {
			if d.sigs[c].similarity(&sig) >= d.threshold {
				return NearDuplicate
			}
		}
	}
	id := int32(len(d.sigs))
	d.sigs = append(d.sigs, sig)
	for b, k := range keys {
		d.buckets[b][k] = append(d.buckets[b][k], id)
	}
	return Unique
}

func refBandKey(rows []uint32) uint64 {
	h := fnv.New64a()
	var buf [4]byte
	for _, v := range rows {
		binary.LittleEndian.PutUint32(buf[:], v)
		h.Write(buf[:])
	}
	return h.Sum64()
}
