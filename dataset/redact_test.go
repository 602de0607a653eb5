package dataset

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	key := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"
	cases := []struct {
		in, want string
		kind     string
	}{
		{`mail("jane.doe@corp.io")`, `mail("<EMAIL>")`, RedactEmail},
		{`addr := "203.0.113.7:80"`, `addr := "<IP_ADDRESS>:80"`, RedactIP},
		{`dial("2001:db8:85a3::8a2e:370:7334")`, `dial("<IP_ADDRESS>")`, RedactIP},
		{"k = '''" + key + "'''", "k = '''<PRIVATE_KEY>'''", RedactPrivateKey},
		{`aws = "AKIAIOSFODNN7EXAMPLE"`, `aws = "<TOKEN>"`, RedactToken},
		{`gh = "ghp_` + strings.Repeat("a1B2", 9) + `"`, `gh = "<TOKEN>"`, RedactToken},
		{`slack("xoxb-123456789012-abcdefghij")`, `slack("<TOKEN>")`, RedactToken},
		{`password = "hunter2hunter2"`, `password = "<SECRET>"`, RedactSecret},
		{`"api_key": "q8ZfX2pLk9Rw"`, `"api_key": "<SECRET>"`, RedactSecret},
		{`blob = "Zx8qP2mK7vR4tY9wB3nL6hJ1"`, `blob = "<SECRET>"`, RedactSecret},
	}
	for _, tc := range cases {
		counts := map[string]int{}
		if got := Redact(tc.in, counts); got != tc.want || counts[tc.kind] != 1 || len(counts) != 1 {
			t.Errorf("Redact(%q) = %q %v, want %q with one %s", tc.in, got, counts, tc.want, tc.kind)
		}
	}
	// None of these is a secret or personal data.
	for _, in := range []string{
		`send("someone@example.com")`,
		`listen("127.0.0.1:8080"); lan := "192.168.1.20"; any := "0.0.0.0"`,
		`version = "1.2.3.4.5"`,
		`// per RFC 8785, section 3.2.2.3 and ECMA-262 section 7.1.12.1`,
		`dns := "8.8.8.8"`,
		`auth_header = "Authorization"`,
		`password = "${DB_PASSWORD}"`,
		`std::vector<int> v; a::b::c();`,
		`@property`,
		`name = "configuration_file_path"`,
		`if token == "abcdefghijklmnop" {`,
		`msg = "hello world, this is a long string with spaces"`,
		`sha = "da39a3ee5e6b4b0d3255bfef95601890afd80709"`,
	} {
		counts := map[string]int{}
		if got := Redact(in, counts); got != in || len(counts) != 0 {
			t.Errorf("Redact(%q) = %q %v, want it unchanged", in, got, counts)
		}
	}
}

// Tokens are redacted whole at their real boundaries: a body may start or
// end with '-' or '_', punctuation next to a token is kept, and an
// identifier that merely contains or starts like a token stays whole (see
// the boundary rules in redact_tokens.go).
func TestRedactTokenBoundaries(t *testing.T) {
	rep := func(unit string, n int) string { return strings.Repeat(unit, n/len(unit)+1)[:n] }
	googleDash := "AIza" + rep("Sy9_", 32) + "ab-"          // ends with '-'
	googleUnder := "AIza_" + rep("x9Y", 33) + "Q"           // starts with '_'
	gitlabDash := "glpat-" + rep("aB3_", 16) + "xyz-"       // exactly 20, ends with '-'
	gitlabLong := "glpat-" + rep("Zq7", 23) + "--"          // 25, ends with "--"
	gitlabLead := "glpat--" + rep("k2_", 19)                // starts with '-'
	ghp := "ghp_" + rep("a1B2", 36)                         //
	gho := "gho_" + rep("Q9z", 40)                          //
	ghs := "ghs_" + rep("7Hk", 36)                          //
	pat := "github_pat_11ABCDEFG0_" + rep("xY3_", 59) + "_" // ends with '_'
	slackDash := "xoxp-1234567890-" + rep("abc", 12) + "-"
	openai := "sk-proj-" + rep("T3BlbkFJ_", 40) + "-"
	stripe := "sk_live_" + rep("4eC39HqLyjWDarjtT1zdp7dc", 24)
	rkTest := "rk_test_" + rep("51H8x", 30)
	npm := "npm_" + rep("abC1", 36)
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8-"
	key := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----"
	for _, tc := range []struct {
		name, in, want string
		n              int
	}{
		{"google ending in -", `key = "` + googleDash + `"`, `key = "<TOKEN>"`, 1},
		{"google in a query", `?key=` + googleDash + `&alt=json`, `?key=<TOKEN>&alt=json`, 1},
		{"google starting with _", `(` + googleUnder + `)`, `(<TOKEN>)`, 1},
		{"gitlab ending in -", `token: "` + gitlabDash + `"`, `token: "<TOKEN>"`, 1},
		{"gitlab ending in --", `--token=` + gitlabLong + `,`, `--token=<TOKEN>,`, 1},
		{"gitlab starting with -", `[` + gitlabLead + `]`, `[<TOKEN>]`, 1},
		{"github ghp then period", ghp + `.`, `<TOKEN>.`, 1},
		{"github gho then dash", gho + `-`, `<TOKEN>-`, 1},
		{"github ghs in backquotes", "`" + ghs + "`", "`<TOKEN>`", 1},
		{"github fine-grained ending in _", `"` + pat + `"`, `"<TOKEN>"`, 1},
		{"aws after a colon", `id:AKIAIOSFODNN7EXAMPLE;`, `id:<TOKEN>;`, 1},
		{"two aws ids with a comma", `ASIAIOSFODNN7EXAMPLE,AKIAIOSFODNN7EXAMPLE`, `<TOKEN>,<TOKEN>`, 2},
		{"slack ending in -", `'` + slackDash + `'`, `'<TOKEN>'`, 1},
		{"openai ending in -", `OPENAI_API_KEY=` + openai, `OPENAI_API_KEY=<TOKEN>`, 1},
		{"stripe live", `Stripe.api_key = "` + stripe + `"`, `Stripe.api_key = "<TOKEN>"`, 1},
		{"stripe restricted", `{` + rkTest + `}`, `{<TOKEN>}`, 1},
		{"npm", `//registry.npmjs.org/:_authToken=` + npm, `//registry.npmjs.org/:_authToken=<TOKEN>`, 1},
		{"jwt ending in -", `Bearer ` + jwt + `.`, `Bearer <TOKEN>.`, 1},
		{"private key in a literal", `k = "` + key + `",`, `k = "<PRIVATE_KEY>",`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counts := map[string]int{}
			got := Redact(tc.in, counts)
			n := counts[RedactToken] + counts[RedactPrivateKey]
			if got != tc.want || n != tc.n || len(counts) != 1 {
				t.Errorf("Redact(%q) = %q %v, want %q with %d", tc.in, got, counts, tc.want, tc.n)
			}
		})
	}
	// Identifiers that contain a token's prefix, or start like a token but
	// run on, are not tokens: they stay whole rather than being cut.
	for _, in := range []string{
		`xAKIAIOSFODNN7EXAMPLE`,             // the prefix continues a word
		`AKIAIOSFODNN7EXAMPLEX`,             // 17 characters, not 16
		`AKIAIOSFODNN7EXAMPLE_SUFFIX`,       // runs on into a longer name
		"AIza" + rep("Sy9_", 36),            // 36 characters, not 35
		"AIza" + rep("Sy9_", 35) + "-local", // a longer hyphenated name
		`my_` + gitlabDash,                  // prefix inside a longer name
		`base-` + gitlabDash,                // '-' joins GitLab's alphabet
		"ghp_" + rep("a1B2", 35),            // too short
		"ghp_" + rep("a1B2", 36) + "_v2",    // runs on with '_'
		"disk-" + rep("cache", 40),          // "sk-" inside a word
		"sk-" + rep("a", 31),                // too short
		"npm_" + rep("abC1", 37),            // 37, not 36
		"x" + jwt,                           // inside a longer word
		"eyJhbGciOiJIUzI1NiJ9.notajwt",      // one segment only
	} {
		counts := map[string]int{}
		if got := Redact(in, counts); got != in || len(counts) != 0 {
			t.Errorf("Redact(%q) = %q %v, want it unchanged", in, got, counts)
		}
	}
}
