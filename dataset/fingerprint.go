package dataset

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// FingerprintSize is the length of a marshalled Fingerprint.
const FingerprintSize = sha256.Size + 4*numPerm

// Fingerprint is what duplicate detection needs to know of a function:
// the hash of its normalized code (its ID) and its MinHash sketch. It is
// computed where the function is extracted, in parallel, and judged later
// by a Deduper that sees all functions in order.
type Fingerprint struct {
	Exact  [sha256.Size]byte
	sketch signature
	tokens int // not marshalled: only the extracting side needs it
}

// NewFingerprint fingerprints code.
func NewFingerprint(code string) Fingerprint {
	sketch, tokens := minhash(code)
	return Fingerprint{Exact: normalizedHash(code), sketch: sketch, tokens: tokens}
}

// Tokens estimates how many tokens a code model's tokenizer makes of the
// fingerprinted code (the Record's Tokens): one per symbol, and one per six
// characters of each word, since subword vocabularies split long
// identifiers. It is counted while the sketch is made, as both scan the
// same tokens.
func (f *Fingerprint) Tokens() int { return f.tokens }

// ID is the record ID of the fingerprinted code (see ID).
func (f *Fingerprint) ID() string { return hex.EncodeToString(f.Exact[:]) }

// AppendBinary appends the FingerprintSize bytes of f to b.
func (f *Fingerprint) AppendBinary(b []byte) []byte {
	b = append(b, f.Exact[:]...)
	for _, v := range f.sketch {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// UnmarshalBinary reads what AppendBinary wrote.
func (f *Fingerprint) UnmarshalBinary(b []byte) error {
	if len(b) != FingerprintSize {
		return fmt.Errorf("fingerprint: %d bytes, want %d", len(b), FingerprintSize)
	}
	copy(f.Exact[:], b)
	for i := range f.sketch {
		f.sketch[i] = binary.LittleEndian.Uint32(b[sha256.Size+4*i:])
	}
	return nil
}
