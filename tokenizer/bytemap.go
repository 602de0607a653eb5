package tokenizer

// byteRune maps each byte to the printable character GPT-2 uses for it:
// printable Latin-1 bytes map to themselves, the others to U+0100 onwards in
// byte order. Token texts and merges are written in these characters, so a
// merge "a b" can be split at its space.
var byteRune = func() (m [256]rune) {
	n := 0
	for b := 0; b < 256; b++ {
		if ('!' <= b && b <= '~') || (0xA1 <= b && b <= 0xAC) || (0xAE <= b && b <= 0xFF) {
			m[b] = rune(b)
		} else {
			m[b] = rune(256 + n)
			n++
		}
	}
	return m
}()

// runeByte inverts byteRune.
var runeByte = func() map[rune]byte {
	m := make(map[rune]byte, 256)
	for b, r := range byteRune {
		m[r] = byte(b)
	}
	return m
}()
